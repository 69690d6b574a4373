"""python -m bench [--quick] [--json] [--only NAME]"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from bench.common import machine


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    parser.add_argument("--only", choices=["scoring", "asr"], action="append",
                        help="run only these benchmarks (repeatable)")
    args = parser.parse_args()
    chosen = args.only or ["scoring", "asr"]
    results: dict = {"machine": machine(), "date": date.today().isoformat()}
    texts = []
    if "scoring" in chosen:
        from bench import scoring_bench

        results["scoring"] = scoring_bench.run(quick=args.quick)
        texts.append(scoring_bench.report(results["scoring"]))
    if "asr" in chosen:
        from bench import asr_bench

        results["asr"] = asr_bench.run(quick=args.quick)
        texts.append(asr_bench.report(results["asr"]))
    if args.json:
        json.dump(results, sys.stdout, indent=2, default=float)
        sys.stdout.write("\n")
    else:
        print(f"{results['machine']}, {results['date']}\n")
        print("\n\n".join(texts))


if __name__ == "__main__":
    main()
