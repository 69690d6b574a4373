"""The HTML report: self-contained, escaped, rendered by a real browser."""

from __future__ import annotations

import re

import pytest

from tests.conftest import headless

EVIL_BANK = """\
id: evil
title: "Evil <script>alert('bank')</script>"
questions:
  - id: e1
    text: "What does <img src=x onerror=alert(1)> do?"
    category: technical
    model_answer: "It runs <script>alert('model')</script> in the page."
    concepts:
      - name: "<b>script</b> injection"
        aliases: [script]
    look_for: ["<iframe src=javascript:alert(2)>"]
"""


@pytest.mark.slow
def test_report_escapes_everything_and_renders(run_cli, tmp_path, chromium):
    bank = tmp_path / "evil.yaml"
    bank.write_text(EVIL_BANK)
    answer = "A script tag <script>alert('answer')</script> & an <img src=x onerror=alert(3)>\n\n"
    result = run_cli("practice", "--text", "--silent", "--bank", str(bank), "--plain",
                     input=answer)
    assert result.returncode == 0, result.stderr
    report = tmp_path / "report.html"
    assert run_cli("report", "--out", str(report)).returncode == 0
    html = report.read_text()
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(&#39;answer&#39;)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html  # nothing fetched from a network
    dom = headless(chromium, report.as_uri(), tmp_path, "--dump-dom").stdout
    assert "<script" not in dom.split("</head>", 1)[1]
    assert "alert('answer')" in re.sub(r"<[^>]+>", "", dom).replace("&lt;", "<").replace(
        "&gt;", ">").replace("&#39;", "'")
    assert "<mark" in dom  # the covered concept is highlighted


@pytest.mark.slow
def test_report_all_sessions_has_charts(run_cli, tmp_path, chromium):
    for text in ("Vault and rotation.\n\n", "HashiCorp Vault, short-lived credentials through "
                 "OIDC, rotation, pre-commit hooks with gitleaks, envelope encryption.\n\n"):
        run_cli("practice", "--text", "--silent", "-q", "devsecops-03", "--plain", input=text)
    report = tmp_path / "all.html"
    result = run_cli("report", "--all", "--out", str(report))
    assert result.returncode == 0 and "2 session(s)" in result.stdout
    html = report.read_text()
    assert html.count('class="spark"') == 1 and 'class="chart"' in html
    screenshot = tmp_path / "all.png"
    headless(chromium, report.as_uri(), tmp_path, f"--screenshot={screenshot}",
             "--window-size=1000,1400")
    assert screenshot.stat().st_size > 20_000
