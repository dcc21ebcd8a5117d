"""Extending a fixed-term contract (prolongation de contrat), its own app: label
`contract_extensions`. It depends on the programme, never the reverse."""
