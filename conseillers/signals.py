"""What the programme announces to the modules that follow its facts (the subsidy).

The programme never imports its subsidy: the subsidy depends on the programme, one way. When a
fact the subsidy acts on happens, the service that writes it sends one of these signals, and the
subsidy's receivers (connected in its `AppConfig.ready()`) do their part.

Each signal is sent with `Signal.send()`, INSIDE the service's transaction, the rows it concerns
locked: a receiver writes in that same transaction, and an exception it raises propagates to the
service, so the programme's write rolls back with the receiver's (never a validated recruitment
without its subsidy schedule). That is why `send_robust()`, which would swallow the exception, is
not used. For the same reason a receiver does no slow I/O: it schedules it with
`transaction.on_commit`.

Every signal is sent with `sender=Match` and the keyword arguments listed beside it.
"""

from django.dispatch import Signal

# ANCT validated a recruitment (the match is finalised). Arguments: match, by.
recruitment_validated = Signal()

# ANCT validated a rupture: the post is vacant from the rupture date. Arguments: match, by.
rupture_validated = Signal()

# A contract ended at its term or was renewed (ANCT or the structure ended the match): the post is
# vacant from today, as after a rupture. Arguments: match, by.
contract_ended = Signal()
