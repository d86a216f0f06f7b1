#!/usr/bin/env python3
"""Level of care end to end (SPEC section 13): iop asam (ratings, --level,
--keep --reason) and iop certify; the exact TOML each appends, every refusal
with every file left byte-identical, show's level of care (text and JSON),
check and remind on a small case, and the completion of --level."""

import json

from iopt import (case, contains, edit_program, enroll, eq, fails_cleanly, load_toml, main,
                  make_clinic, not_contains, ok, one_patient_clinic, record_path, run)

META = 'recorded_by = "tester"\nrecorded_at = 2026-11-03T17:02:11Z\n'
RATED = ["--d1", "0", "--d2", "1", "--d3", "3", "--d4", "2", "--d5", "3", "--d6", "1"]


def appended(d, *args, pid="P-0001", **kw):
    """Runs iop -C d ARGS (which must succeed) and returns (stdout, the text
    appended to pid's record); the old bytes must stay a prefix."""
    before = record_path(d, pid).read_bytes()
    r = ok("-C", d, *args, **kw)
    after = record_path(d, pid).read_bytes()
    eq(after[:len(before)], before, "the old bytes stay a prefix")
    return r.out, after[len(before):].decode()


def assessed_clinic(tmp, level="2.5"):
    """P-0001 (enrolled 2026-11-02) assessed on 2026-11-03: dimensions 3 and
    5 rated 3, level `level` recommended."""
    d = one_patient_clinic(tmp, attended=False)
    ok("-C", d, "asam", "P-0001", *RATED, "--level", level, "--date", "2026-11-03")
    return d


@case
def asam_appends_the_exact_assessment_block(tmp):
    d = one_patient_clinic(tmp, attended=False)
    out, text = appended(d, "asam", "P-0001", *RATED, "--level", "2.1", "--note",
                         "Lives alone\nworks nights", "--date", "2026-11-03")
    eq(out, "recorded ASAM assessment of P-0001 on 2026-11-03: level 2.1\n")
    eq(text, '\n[[assessment]]\nkind = "asam"\ndate = 2026-11-03\nd1 = 0\nd2 = 1\nd3 = 3\n'
             'd4 = 2\nd5 = 3\nd6 = 1\nlevel = "2.1"\nnote = "Lives alone\\nworks nights"\n' + META)
    # No level: the key is left out; leading zeros are plain decimals.
    out, text = appended(d, "asam", "P-0001", "--d1", "04", "--d2", "0", "--d3", "0", "--d4",
                         "0", "--d5", "0", "--d6", "0")
    eq(out, "recorded ASAM assessment of P-0001 on 2026-11-10: no level recommended\n")
    eq(text, '\n[[assessment]]\nkind = "asam"\ndate = 2026-11-10\nd1 = 4\nd2 = 0\nd3 = 0\n'
             'd4 = 0\nd5 = 0\nd6 = 0\n' + META)
    # Another level: the line says what to do, and never the note.
    out, _ = appended(d, "asam", "P-0001", *RATED, "--level", "3.1", "--note", "Relapsed")
    eq(out, "recorded ASAM assessment of P-0001 on 2026-11-10: level 3.1; step up or record "
            "why not (iop asam P-0001 --keep --reason TEXT)\n")
    out, _ = appended(d, "asam", "P-0001", *RATED, "--level", "1")
    eq(out, "recorded ASAM assessment of P-0001 on 2026-11-10: level 1; step down or record "
            "why not (iop asam P-0001 --keep --reason TEXT)\n")
    load_toml(record_path(d))


@case
def keep_appends_a_placement_that_answers_the_level_of_care(tmp):
    d = assessed_clinic(tmp)
    out, text = appended(d, "asam", "P-0001", "--keep", "--reason",
                         "Family support is here;\nprefers to stay", "--date", "2026-11-05")
    eq(out, "recorded why P-0001 stays at level 2.1 on 2026-11-05 (the assessment of "
            "2026-11-03 recommends level 2.5)\n")
    eq(text, '\n[[event]]\ntype = "placement"\ndate = 2026-11-05\n'
             'reason = "Family support is here;\\nprefers to stay"\n' + META)
    r = run("-C", d, "check", "--rule", "level-of-care")
    eq((r.code, r.out, r.err), (0, "", ""), "a placement answers level-of-care")
    # Answered: a second --keep is refused, naming the placement.
    fails_cleanly(d, ("-C", d, "asam", "P-0001", "--keep", "--reason", "again"), 1,
                  "the ASAM assessment of P-0001 on 2026-11-03 (level 2.5) is answered already "
                  "by a placement on 2026-11-05; see iop show P-0001")
    # A new assessment that recommends another level asks again.
    ok("-C", d, "asam", "P-0001", *RATED, "--level", "1", "--date", "2026-11-09")
    out, _ = appended(d, "asam", "P-0001", "--keep", "--reason", "Still drinking weekends")
    eq(out, "recorded why P-0001 stays at level 2.1 on 2026-11-10 (the assessment of "
            "2026-11-09 recommends level 1)\n")


@case
def asam_errors_leave_every_file_unchanged(tmp):
    d = assessed_clinic(tmp, level="2.1")
    base = ["-C", d, "asam", "P-0001"]

    def rated(**changes):
        args = list(RATED)
        for key, value in changes.items():
            i = args.index(f"--{key}")
            if value is None:
                del args[i:i + 2]
            else:
                args[i + 1] = value
        return args

    fails_cleanly(d, (*base, *rated(d2=None, d6=None)), 2,
                  "an ASAM assessment rates every dimension 0-4: --d2, --d6 missing")
    fails_cleanly(d, (*base,), 2, "--d1, --d2, --d3, --d4, --d5, --d6 missing")
    fails_cleanly(d, (*base, *rated(d3="5")), 2,
                  "--d3 5 is out of range 0..4 (ASAM dimension 3: Emotional, behavioral or "
                  "cognitive conditions)")
    fails_cleanly(d, (*base, *rated(d6="-1")), 2, "--d6 -1 is out of range 0..4")
    fails_cleanly(d, (*base, *rated(d1="x")), 2, "--d1")
    fails_cleanly(d, (*base, *rated(d1="0x1")), 2, "--d1")
    fails_cleanly(d, (*base, *rated(d4="2.5")), 2, "--d4")
    fails_cleanly(d, (*base, *rated(), "--level", "2.2"), 2,
                  "--level '2.2' is not valid", "valid values: 0.5, 1, 2.1, 2.5, 3.1, 3.3, 3.5, "
                  "3.7, 4")
    fails_cleanly(d, (*base, *rated(), "--level", "3.4"), 2, "did you mean")
    fails_cleanly(d, (*base, *rated(), "--level", ""), 2, "--level")
    fails_cleanly(d, (*base, *rated(), "--note", "a\x1b[31mb"), 2, "--note")
    fails_cleanly(d, (*base, *rated(), "--note", "  "), 2, "--note")
    fails_cleanly(d, (*base, *rated(), "--date", "2026-11-11"), 2, "after today")
    fails_cleanly(d, (*base, *rated(), "--date", "2026-11-01"), 2, "before P-0001 was enrolled")
    fails_cleanly(d, (*base, *rated(), "--reason", "why"), 2, "--reason goes with --keep")
    fails_cleanly(d, ("-C", d, "asam", "P-0009", *rated()), 1, "P-0009")
    # --keep takes the reason only.
    fails_cleanly(d, (*base, "--keep"), 2, "--keep needs --reason TEXT")
    fails_cleanly(d, (*base, "--keep", "--reason", "x", "--d1", "1"), 2,
                  "it takes --reason (and --date) only")
    fails_cleanly(d, (*base, "--keep", "--reason", "x", "--level", "2.5"), 2, "--reason")
    fails_cleanly(d, (*base, "--keep", "--reason", "x", "--note", "n"), 2, "--reason")
    # Nothing to keep: the latest assessment recommends this level, or none.
    fails_cleanly(d, (*base, "--keep", "--reason", "x"), 1,
                  "the ASAM assessment of P-0001 on 2026-11-03 recommends level 2.1: there is "
                  "no other level of care to answer with --keep")
    enroll(d, "P-0002", "John Roe", "2026-11-02")
    fails_cleanly(d, ("-C", d, "asam", "P-0002", "--keep", "--reason", "x"), 1,
                  "P-0002 has no ASAM assessment on or before 2026-11-10; --keep answers an "
                  "assessment that recommends another level of care")
    # An older assessment does not count before its date, nor a later one after.
    ok("-C", d, "asam", "P-0002", *rated(), "--level", "2.5", "--date", "2026-11-06")
    fails_cleanly(d, ("-C", d, "asam", "P-0002", "--keep", "--reason", "x", "--date",
                      "2026-11-05"), 1, "P-0002 has no ASAM assessment on or before 2026-11-05")
    # After the end of treatment, only entries dated on or before it.
    ok("-C", d, "discharge", "P-0002", "--reason", "moved", "--date", "2026-11-08")
    fails_cleanly(d, ("-C", d, "asam", "P-0002", *rated(), "--date", "2026-11-09"), 1,
                  "an entry dated 2026-11-09 is after it")
    fails_cleanly(d, ("-C", d, "asam", "P-0002", "--keep", "--reason", "x"), 1,
                  "an entry dated 2026-11-10 is after it")
    # Dated on or before the discharge, a late assessment is accepted.
    ok("-C", d, "asam", "P-0002", *rated(), "--date", "2026-11-08")


@case
def certify_appends_the_exact_certification_block(tmp):
    d = one_patient_clinic(tmp, attended=False)
    out, text = appended(d, "certify", "P-0001", "--physician", "Dr. Chen", "--date",
                         "2026-11-04")
    eq(out, "recorded physician certification of P-0001 on 2026-11-04\n")
    eq(text, '\n[[event]]\ntype = "certification"\ndate = 2026-11-04\n'
             'physician = "Dr. Chen"\n' + META)
    # A program that requires it: the line says when to recertify.
    edit_program(d, "[certification]\nrequired = false\n", "[certification]\nrequired = true\n")
    out, text = appended(d, "certify", "P-0001", "--physician", "Dr. Chen", "--note",
                         "Needs IOP:\nthree relapses")
    eq(out, "recorded physician certification of P-0001 on 2026-11-10; recertify by "
            "2027-01-09\n")
    eq(text, '\n[[event]]\ntype = "certification"\ndate = 2026-11-10\n'
             'physician = "Dr. Chen"\nnote = "Needs IOP:\\nthree relapses"\n' + META)
    # A late certification: the next is due from the latest.
    out, _ = appended(d, "certify", "P-0001", "--physician", "Dr. Chen", "--date", "2026-11-05")
    eq(out, "recorded physician certification of P-0001 on 2026-11-05; recertify by "
            "2027-01-09\n")
    load_toml(record_path(d))


@case
def certify_errors_leave_every_file_unchanged(tmp):
    d = one_patient_clinic(tmp, attended=False)
    base = ["-C", d, "certify", "P-0001"]
    fails_cleanly(d, (*base,), 2, "--physician")
    fails_cleanly(d, (*base, "--physician", ""), 2, "--physician")
    fails_cleanly(d, (*base, "--physician", "Dr.\nChen"), 2, "--physician")
    fails_cleanly(d, (*base, "--physician", "Dr. Chen", "--note", "\x07"), 2, "--note")
    fails_cleanly(d, (*base, "--physician", "Dr. Chen", "--date", "tomorrow"), 2, "--date")
    fails_cleanly(d, (*base, "--physician", "Dr. Chen", "--date", "2026-11-11"), 2, "after today")
    fails_cleanly(d, ("-C", d, "certify", "P-0002", "--physician", "Dr. Chen"), 1, "P-0002")
    ok("-C", d, "discharge", "P-0001", "--reason", "moved", "--date", "2026-11-06")
    fails_cleanly(d, (*base, "--physician", "Dr. Chen"), 1, "an entry dated 2026-11-10 is after it")
    ok(*base, "--physician", "Dr. Chen", "--date", "2026-11-06")


SHOWN = """
Level of care
  assessed    2026-11-03, level 2.5 recommended
  d1  0  Acute intoxication and/or withdrawal potential
  d2  1  Biomedical conditions and complications
  d3  3  Emotional, behavioral or cognitive conditions
  d4  2  Readiness to change
  d5  3  Relapse, continued use or continued problem potential
  d6  1  Recovery/living environment
  note        Lives with a
              drinking partner
  kept        2026-11-05: Family support is here
  certified   2026-11-04 by Dr. Chen
  next due    2027-01-03
"""


@case
def show_prints_the_level_of_care_text_and_json(tmp):
    d = one_patient_clinic(tmp, attended=False)
    plain = ok("-C", d, "show", "P-0001").out
    not_contains(plain, "Level of care")
    # An older assessment and its placement are not shown: the latest and
    # the placements since it are.
    ok("-C", d, "asam", "P-0001", *RATED, "--level", "3.1", "--date", "2026-11-02")
    ok("-C", d, "asam", "P-0001", "--keep", "--reason", "Old reason", "--date", "2026-11-02")
    ok("-C", d, "asam", "P-0001", *RATED, "--level", "2.5", "--note",
       "Lives with a\ndrinking partner", "--date", "2026-11-03")
    ok("-C", d, "certify", "P-0001", "--physician", "Dr. Chen", "--date", "2026-11-04")
    ok("-C", d, "asam", "P-0001", "--keep", "--reason", "Family support is here", "--date",
       "2026-11-05")
    # Without the requirement, no next due date; the rest of show (up to the
    # findings, which now hold the new rules) is byte-identical.
    block = SHOWN.replace("  next due    2027-01-03\n", "")
    out = ok("-C", d, "show", "P-0001").out
    contains(out, block)
    not_contains(out, "Old reason")
    eq(out.replace(block, "", 1).split("\nFindings\n")[0], plain.split("\nFindings\n")[0],
       "show without the block")
    check_order = out.index("Treatment plan") < out.index("Level of care") < out.index("Screens")
    eq(check_order, True, "Level of care after the treatment plan, before the screens")
    edit_program(d, "[certification]\nrequired = false\n", "[certification]\nrequired = true\n")
    out = ok("-C", d, "show", "P-0001").out
    contains(out, SHOWN)
    p = json.loads(ok("-C", d, "show", "P-0001", "--format", "json").out)["patients"][0]
    loc = p["level_of_care"]
    eq(loc["asam"], {"entry": "assessment", "kind": "asam", "date": "2026-11-03", "d1": 0,
                     "d2": 1, "d3": 3, "d4": 2, "d5": 3, "d6": 1, "level": "2.5",
                     "note": "Lives with a\ndrinking partner", "recorded_by": "tester",
                     "recorded_at": "2026-11-03T17:02:11Z"}, "level_of_care.asam")
    eq([(e["type"], e["date"], e["reason"]) for e in loc["placements"]],
       [("placement", "2026-11-05", "Family support is here")], "placements since it")
    eq((loc["certification"]["physician"], loc["certification"]["date"]),
       ("Dr. Chen", "2026-11-04"), "the latest certification")
    eq(loc["certification_due"], "2027-01-03", "certification_due")
    # No certification yet, but due: said so.
    enroll(d, "P-0002", "John Roe", "2026-11-02")
    out = ok("-C", d, "show", "P-0002").out
    contains(out, "\nLevel of care\n  assessed    never\n  certified   not yet\n"
                  "  next due    2026-11-09\n")
    p = json.loads(ok("-C", d, "show", "P-0002", "--format", "json").out)["patients"][0]
    eq(p["level_of_care"], {"asam": None, "placements": [], "certification": None,
                            "certification_due": "2026-11-09"}, "P-0002's level of care")


@case
def html_page_shows_the_level_of_care_escaped(tmp):
    plain = one_patient_clinic(tmp / "plain", attended=False)
    not_contains(ok("-C", plain, "show", "P-0001", "--format", "html").out, "Level of care")
    d = assessed_clinic(tmp)
    ok("-C", d, "certify", "P-0001", "--physician", "<b>Dr</b> & Co", "--date", "2026-11-04")
    ok("-C", d, "asam", "P-0001", "--keep", "--reason", "stays <here>", "--date", "2026-11-05")
    page = ok("-C", d, "show", "P-0001", "--format", "html").out
    for needle in ("<h2>Level of care</h2>",
                   "<p>ASAM assessment of 2026-11-03: level 2.5 recommended.</p>",
                   '<tr><td>3 Emotional, behavioral or cognitive conditions</td>'
                   '<td class="num">3</td></tr>',
                   '<tr><td>6 Recovery/living environment</td><td class="num">1</td></tr>',
                   'Kept at this level on 2026-11-05: <span class="text">stays &lt;here&gt;'
                   '</span>',
                   "<p>Certified on 2026-11-04 by &lt;b&gt;Dr&lt;/b&gt; &amp; Co.</p>"):
        contains(page, needle, "the printed plan")
    not_contains(page, "Next certification", "not required")
    check_order = page.index("Curriculum") < page.index("Level of care") < page.index("<footer>")
    eq(check_order, True, "Level of care after the curriculum")


@case
def check_and_remind_on_a_small_case(tmp):
    d = assessed_clinic(tmp)
    edit_program(d, "[certification]\nrequired = false\n", "[certification]\nrequired = true\n")
    rules = ("--rule", "asam-reassess", "--rule", "asam-unaddressed", "--rule", "level-of-care",
             "--rule", "certification")
    r = run("-C", d, "check", *rules, today="2026-11-12")
    eq((r.code, r.err), (1, ""), f"certification is an error\n{r!r}")
    eq(r.out, "patients/P-0001.toml: warning: ASAM dimension 3 rated 3 on 2026-11-03 has no "
              "open goal of that dimension, due within 7 days [asam-unaddressed]\n"
              "patients/P-0001.toml: warning: ASAM dimension 5 rated 3 on 2026-11-03 has no "
              "open goal of that dimension, due within 7 days [asam-unaddressed]\n"
              "patients/P-0001.toml: warning: assessment of 2026-11-03 recommends level 2.5: "
              "step up or record why not [level-of-care]\n"
              "patients/P-0001.toml: error: no physician certification 10 days after "
              "enrollment on 2026-11-02, due within 7 days [certification]\n", "check")
    found = {f["message"][:20]: f["arose"] for f in
             json.loads(run("-C", d, "check", "--format", "json", *rules,
                            today="2026-11-12").out)["patients"][0]["findings"]}
    eq(sorted(found.values()), ["2026-11-03", "2026-11-10", "2026-11-11", "2026-11-11"],
       "arose: the assessment's date, enrollment + 8, assessment + 8")

    def mine(today):
        items = json.loads(ok("-C", d, "remind", "--format", "json", today=today).out)
        return [(i["kind"], i["message"]) for i in items
                if i["kind"] in ("asam-reassess", "asam-unaddressed", "level-of-care",
                                 "certification")]

    # Open items every day; asam-unaddressed once, on the day after it arose.
    for today in ("2026-11-12", "2026-11-13"):
        eq(mine(today), [
            ("level-of-care", "assessment of 2026-11-03 recommends level 2.5: step up or record "
                              "why not"),
            ("certification", "no physician certification {} days after enrollment on "
                              "2026-11-02, due within 7 days".format(int(today[-2:]) - 2))],
           f"remind on {today}")
    eq([k for k, _ in mine("2026-11-11")].count("asam-unaddressed"), 2, "noticed on 2026-11-11")
    text = ok("-C", d, "remind", today="2026-11-12").out
    contains(text, "level-of-care          assessment of 2026-11-03 recommends level 2.5")
    # Answered: a placement and a certification end both.
    ok("-C", d, "asam", "P-0001", "--keep", "--reason", "Prefers to stay", today="2026-11-12")
    ok("-C", d, "certify", "P-0001", "--physician", "Dr. Chen", today="2026-11-12")
    eq(mine("2026-11-13"), [], "nothing open after --keep and certify")
    not_contains(ok("-C", d, "remind", "--all", today="2026-11-13").out, "Prefers")
    # asam-reassess, 31 days after the assessment.
    eq(mine("2026-12-04"), [("asam-reassess", "ASAM dimensions not assessed for 31 days (since "
                                              "2026-11-03), reassess every 30 days")],
       "reassess")


@case
def level_completes_the_asam_levels(tmp):
    d = one_patient_clinic(tmp, attended=False)
    words = [line.split("\t")[0] for line in
             ok("-C", d, "__complete", "--", "asam", "P-0001", "--level", "").out.splitlines()]
    eq(words, ["0.5", "1", "2.1", "2.5", "3.1", "3.3", "3.5", "3.7", "4"], "--level values")
    opts = [line.split("\t")[0] for line in
            ok("-C", d, "__complete", "--", "asam", "P-0001", "-").out.splitlines()]
    for o in ("--d1", "--d6", "--level", "--keep", "--reason", "--note", "--date"):
        contains(opts, o, "asam's options")
    opts = [line.split("\t")[0] for line in
            ok("-C", d, "__complete", "--", "certify", "P-0001", "-").out.splitlines()]
    for o in ("--physician", "--note", "--date"):
        contains(opts, o, "certify's options")


main()
