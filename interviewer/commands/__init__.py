"""One module a command (or command group) of the `interviewer` command line."""
