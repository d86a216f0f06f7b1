"""The printable treatment plan, `iop show ID --format html` (SPEC section
12): one self-contained page (no script, no external resource), every value
escaped, the same bytes for the same input; printed to PDF by a real
browser, Debian's chromium in headless mode, on Letter and on A4, and the
PDF's text and page count checked with pdftotext and pdfinfo (Debian's
poppler-utils). Where chromium or poppler-utils is missing, or chromium
cannot start, the browser cases say they skipped, and pass; ./setup installs
both, so CI never skips them."""

import html.parser
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from iopt import (assert_unchanged, case, check, contains, enroll, eq, main, make_clinic,
                  not_contains, ok, record_path, snapshot)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
PDFINFO = shutil.which("pdfinfo")

NAME = "<script>alert(1)</script> O'Brien & \"Sons\""
GOALS = [  # (problem, goal) of G1..G3
    ("Drinks daily to cope with work stress", "Stay sober and handle stress without alcohol"),
    ("Conflict at home over drinking", "Rebuild trust with my partner"),
    ("No routine since losing the job", "Keep a daily routine that supports recovery"),
]


def objective_text(g, o):
    return f"Objective {o} of goal {g}: a measurable step with a date"


def plan_toml():
    """3 goals x 3 objectives, each objective with two interventions and a
    measure, in the form iop writes them."""
    out = []
    for g, (problem, goal) in enumerate(GOALS, 1):
        out.append(f'\n[[goal]]\nref = "G{g}"\naction = "add"\ndate = 2026-11-03\n'
                   f'problem = "{problem}"\ngoal = "{goal}"\n'
                   f'words = "In my words, goal {g} matters because of my kids"\n'
                   f'dimension = {g + 2}\nrecorded_by = "hand"\n')
        for o in range(1, 4):
            out.append(f'\n[[objective]]\nref = "G{g}.{o}"\naction = "add"\ndate = 2026-11-03\n'
                       f'text = "{objective_text(g, o)}"\n'
                       f'measure = "checked with the counselor each week"\n'
                       f'target = 2026-12-{o:02}\n'
                       f'interventions = ["group therapy on relapse prevention 3x a week", '
                       f'"individual CBT weekly"]\nrecorded_by = "hand"\n')
    out.append('\n[[event]]\ntype = "signature"\ndate = 2026-11-04\nrole = "patient"\n'
               'name = "the patient"\nplan_version = 13\nrecorded_by = "hand"\n')
    return "".join(out)


def clinic(tmp, born=None):
    d = make_clinic(tmp)
    extra = ["--clinician", "Dr. Rivera & <Partners>"] + (["--born", born] if born else [])
    enroll(d, "P-0001", NAME, "2026-11-02", *extra)
    for day, topic in [("2026-11-03", "illness"), ("2026-11-05", "illness"),
                       ("2026-11-10", "stress")]:
        ok("-C", d, "attend", "P-0001", "--kind", "group", "--topic", topic, "--date", day)
    with open(record_path(d), "a") as f:
        f.write(plan_toml())
    return d


class Page(html.parser.HTMLParser):
    """The tags and the text of a page, as a browser's parser sees them."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.data = [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            check(not name.startswith("on"), f"an event handler attribute {name}={value!r}")
            check(not (value or "").lower().startswith(("javascript:", "http", "//")),
                  f"an address in {tag} {name}={value!r}")

    def handle_data(self, data):
        self.data.append(data)

    def text(self):
        return " ".join(" ".join(self.data).split())


def show_html(d, **kw):
    r = ok("-C", d, "show", "P-0001", "--format", "html", **kw)
    return r.out


@case
def html_page_is_self_contained_and_escaped(tmp):
    d = clinic(tmp)
    before = snapshot(d)
    page = show_html(d, today="2026-11-16")
    assert_unchanged(before, snapshot(d), "after show --format html")
    eq(show_html(d, today="2026-11-16"), page, "the same input gives the same bytes")
    check(page.startswith("<!DOCTYPE html>\n"), "a doctype first")
    low = page.lower()
    for banned in ("<script", "http", "url(", "@import", "<link", "<iframe", "<img", "<object",
                   "src=", "href="):
        not_contains(low, banned, "the page")
    contains(page, "<svg", "the page: the attendance chart")
    contains(page, "@page", "the page: print CSS")
    contains(page, "max-width: 180mm", "the page: content fits A4 and Letter")
    contains(page, "&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien &amp; &quot;Sons&quot;",
             "the name, escaped")
    contains(page, "Dr. Rivera &amp; &lt;Partners&gt;", "the clinician, escaped")
    parsed = Page(page)
    not_contains(parsed.tags, "script", "tags")
    eq(parsed.tags.count("svg"), 1, "one chart")
    text = parsed.text()
    contains(text, NAME, "the page's text: the name shown literally")
    for problem, goal in GOALS:
        contains(text, problem, "the page's text")
        contains(text, goal, "the page's text")
    for g in range(1, 4):
        for o in range(1, 4):
            contains(text, f"G{g}.{o} {objective_text(g, o)}", "the page's text")
    for needle in ("plan version 13", "Signatures", "Patient: " + NAME,
                   "Clinician: Dr. Rivera & <Partners>", "Recorded for this version: patient "
                   "the patient on 2026-11-04", "Curriculum", "core 23% complete",
                   "Attendance rate 0.37 over 2 complete weeks", "2026-12-03", "never",
                   "individual CBT weekly", "Week 3 of 12"):
        contains(text, needle, "the page's text")
    not_contains(text, "Parent or guardian", "an adult's signature lines")
    # The signature lines follow the plan they sign; the progress comes after.
    order = [text.find(h) for h in ("Goals and objectives", "Signatures", "Attendance rate",
                                    "Curriculum")]
    check(-1 not in order and order == sorted(order),
          f"plan, signatures, attendance, curriculum in that order: {order}")
    # The chart: a bar a week (2 complete, 1 in progress), the minimum of 9
    # hours marked on each, the hours written above the bars.
    eq(len(re.findall(r'<rect class="(met|short|current)"', page)), 3, "bars")
    eq(len(re.findall(r'<rect class="short"', page)), 2, "weeks short of the minimum")
    eq(len(re.findall(r'<line class="minimum"', page)), 3, "minimum marks")


@case
def html_page_for_an_adolescent_has_a_guardian_line(tmp):
    d = clinic(tmp, born="2010-05-01")
    text = Page(show_html(d)).text()
    contains(text, "Parent or guardian, plan version 13", "the signature lines")
    contains(text, "adolescent", "the header")


@case
def html_page_without_goals_or_weeks(tmp):
    d = make_clinic(tmp)
    enroll(d, "P-0001", "Jane Doe", "2026-11-20")
    text = Page(show_html(d)).text()
    contains(text, "No goals recorded.", "a plan without goals")
    contains(text, "No treatment week yet.", "before enrollment")
    contains(text, "plan version 1", "the signature lines")


# ---------------------------------------------------------------- the browser


def browser_missing():
    """Why the browser cases cannot run here, or None."""
    if not CHROMIUM:
        return "chromium not found (install the Debian package chromium)"
    if not PDFTOTEXT or not PDFINFO:
        return "pdftotext or pdfinfo not found (install the Debian package poppler-utils)"
    return None


def print_to_pdf(html_path, pdf_path, home):
    """Prints a page to PDF with chromium in headless mode, in a fresh
    profile and HOME; returns (exit status, stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOP_")}
    env["HOME"] = str(home)
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-extensions", "--disable-background-networking",
            f"--user-data-dir={home / 'profile'}", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}", html_path.as_uri()]
    # Its own process group, so that a hung browser and its helpers are
    # ended together.
    p = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None, "chromium did not finish within 120 s"
    return p.returncode, err.decode("utf-8", "replace")


def skip_without_browser(tmp):
    why = browser_missing()
    if why is None:
        probe = tmp / "probe.html"
        probe.write_text("<!DOCTYPE html><p>probe</p>")
        code, err = print_to_pdf(probe, tmp / "probe.pdf", tmp / "probe-home")
        if code != 0 or not (tmp / "probe.pdf").is_file():
            why = f"chromium cannot print here (exit {code}): {err[-500:]}"
    if why:
        print(f"  SKIPPED: {why}")
        return True
    return False


def pdf_pages_and_size(pdf):
    info = subprocess.run([PDFINFO, pdf], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    m = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    return pages, float(m.group(1)), float(m.group(2))


def pdf_words(pdf):
    """(text, [(xMin, xMax)] of every word) of a PDF."""
    text = subprocess.run([PDFTOTEXT, "-layout", pdf, "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    bbox = subprocess.run([PDFTOTEXT, "-bbox", pdf, "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    spans = [(float(a), float(b)) for a, b in
             re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', bbox)]
    return text, spans


@case
def html_prints_on_letter_and_a4_in_a_real_browser(tmp):
    if skip_without_browser(tmp):
        return
    d = clinic(tmp)
    page = show_html(d, today="2026-11-16")
    mm = 72 / 25.4
    for paper, size, (w_pt, h_pt) in [("letter", "letter", (612, 792)),
                                      ("a4", "A4", (595.3, 841.9))]:
        # The page as iop writes it, with the paper size a printer's
        # settings would give it.
        html_path = tmp / f"plan-{paper}.html"
        html_path.write_text(page.replace("@page {", f"@page {{ size: {size};", 1))
        pdf = tmp / f"plan-{paper}.pdf"
        code, err = print_to_pdf(html_path, pdf, tmp / f"home-{paper}")
        eq(code, 0, f"chromium's exit printing on {paper}: {err[-2000:]}")
        pages, width, height = pdf_pages_and_size(pdf)
        check(abs(width - w_pt) < 2 and abs(height - h_pt) < 2,
              f"{paper}: page size {width} x {height} pts")
        check(1 <= pages <= 2, f"{paper}: 3 goals x 3 objectives on at most 2 pages, got {pages}")
        text, spans = pdf_words(pdf)
        flat = " ".join(text.split())
        contains(flat, "<script>alert(1)</script>", f"{paper}: the name shown, never run")
        contains(flat, "O'Brien & \"Sons\"", f"{paper}: the name")
        for problem, goal in GOALS:
            contains(flat, problem, f"{paper}: the PDF's text")
        for g in range(1, 4):
            for o in range(1, 4):
                contains(flat, f"G{g}.{o}", f"{paper}: the PDF's text")
        for needle in ("Treatment plan", "plan version 13", "Patient:", "Clinician:", "Date",
                       "Attendance", "Curriculum"):
            contains(flat, needle, f"{paper}: the PDF's text")
        # Nothing runs off the paper: every word within the 15 mm margins.
        check(spans, f"{paper}: words with their boxes")
        left = min(a for a, _ in spans)
        right = max(b for _, b in spans)
        check(left >= 15 * mm - 1 and right <= w_pt - 15 * mm + 1,
              f"{paper}: words from {left / mm:.1f} mm to {right / mm:.1f} mm on a page "
              f"{w_pt / mm:.0f} mm wide")


if __name__ == "__main__":
    main()
