"""The interviewer application: command line, session flow, storage and reports.

It is the only package that knows the others: it joins `bank` (questions), `audio` (speech in
and out) and `scoring` (judgement) into the product.
"""

__version__ = "0.1.0"
