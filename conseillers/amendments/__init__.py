"""Amendment requests (demandes d'avenant): a structure asks ANCT to add posts or takes some back.

Its own app (label "amendments"): it depends on the programme (`conseillers`), which never imports
it. An accepted request is recorded by the programme's own `decision_record`, as a new row of the
COSELEC ledger.
"""
