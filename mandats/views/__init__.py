"""Pages of Aidants Connect (under /aidants-connect/), one module per audience:

- `totp`: the aidant's second factor;
- `aidant`: the aidant's usagers, their mandates, revocation and renewal, the current organisation;
- `wizard` (with its session state in `wizard_state`): signing a new mandate;
- `franceconnect_callback`: FranceConnect's answers, for the wizard and for the usager space;
- `usager_space`: the usager logged in with FranceConnect sees and revokes their mandates;
- `referent`: the référent runs the organisation;
- `anct`: the ANCT decides habilitation requests.

Reads go through selectors, writes through services; rights are read from the abilities
(`mandats.abilities`). A mandate of another organisation is never found (404).
"""
