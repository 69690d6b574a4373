"""The fault catalogues (2026-12), one module per area: each test drives the real command
line in its own process (or, for fuzzing, the reader it targets) the way a user or a hostile
file would, and checks the contract: one clear line and exit 2, no hang, nothing lost, nothing
leaving the machine. Case ids in docstrings are those of the catalogue."""
