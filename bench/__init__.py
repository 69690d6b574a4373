"""Benchmarks: each figure measured side by side with its baseline in the same run.

Run `python -m bench --help`. Data from ../shared (the Mohler grading set, real speech) is read
where it is present; it is not part of the package.
"""
