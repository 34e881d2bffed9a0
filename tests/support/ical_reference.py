#!/usr/bin/env python3
"""The reference dates of real-world calendars, by `recurring-ical-events`.

    ical_reference.py PATH [--zone Europe/Paris] [--days 730]

PATH is one .ics file or a folder of them. Prints one JSON document on stdout:

    {"zone": "Europe/Paris", "days": 730, "files": {
        "<file name>": {
            "error": "",            # non-empty when icalendar cannot read the file at all
            "events": [{
                "uid": "...",       # null when the VEVENT has none (then one entry per VEVENT)
                "summary": "...",
                "series": true,     # the master has an RRULE or an RDATE
                "overrides": 2,     # RECURRENCE-ID components of the same UID
                "from": 1700000000, # the window: [first DTSTART, + days) in UTC epoch seconds
                "to": 1763072000,
                "error": "",        # non-empty when its dates could not be computed
                "occurrences": [{"start": ..., "end": ..., "cancelled": false}, ...]
            }],
            "private": [{"uid": "...", "summary": "..."}]   # CLASS:PRIVATE/CONFIDENTIAL: not imported
        }}}

One UID is one event: a recurring master and its RECURRENCE-ID overrides count once. Floating
times are read in --zone; all-day dates start at local midnight in --zone. An occurrence is
cancelled when its own component (the override, or the master) has STATUS:CANCELLED. A broken
file or event never stops the run: its error is in the output instead.
"""

import argparse
import datetime
import json
import os
import signal
import sys
import traceback
import warnings
from zoneinfo import ZoneInfo

warnings.simplefilter("ignore")

import icalendar  # noqa: E402
import recurring_ical_events  # noqa: E402

# Seconds one file may take (a rule every second over two years would never end).
FILE_SECONDS = 60
# More occurrences than this in the window: the event is reported with an error (Placette's API
# lists 2,000 dates per call at most).
MAX_OCCURRENCES = 5000


class Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise Timeout(f"more than {FILE_SECONDS} s")


def epoch(value, zone):
    """UTC epoch seconds of a DATE (local midnight), floating or zoned DATE-TIME."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=zone)
        return int(value.timestamp())
    if isinstance(value, datetime.date):
        return int(datetime.datetime(value.year, value.month, value.day, tzinfo=zone).timestamp())
    raise ValueError(f"not a date: {value!r}")


def decoded(component, name):
    """A property's date value, or None (a list, as some files repeat properties: the first)."""
    if component.get(name) is None:
        return None
    value = component.decoded(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return value


def text(component, name):
    value = component.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value)


def is_private(component):
    return text(component, "CLASS").strip().upper() in ("PRIVATE", "CONFIDENTIAL")


def occurrence_end(occ, start):
    end = decoded(occ, "DTEND")
    if end is None and occ.get("DURATION") is not None:
        end = start + occ.decoded("DURATION")
    if end is None:
        # RFC 5545 3.6.1: a DATE lasts one day, a DATE-TIME ends when it starts.
        if isinstance(start, datetime.datetime):
            end = start
        else:
            end = start + datetime.timedelta(days=1)
    return end


def is_day(value):
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def as_day(value):
    """A DATE that recurring-ical-events turned into a DATE-TIME (an all-day DTSTART with a
    DATE-TIME DTEND) back to the DATE the file gave."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0, 0):
        return value.date()
    return value


def expand(root, timezones, components, zone, days):
    """The occurrences of one event (its components share a UID) over its window."""
    starts = [decoded(c, "DTSTART") for c in components]
    starts = [s for s in starts if s is not None]
    if not starts:
        raise ValueError("no DTSTART")
    # All-day when every DTSTART of the UID is a DATE; its end is a DATE too when every DTEND
    # is (or is absent).
    all_day = all(is_day(s) for s in starts)
    day_ends = all_day and all(
        c.get("DTEND") is None or is_day(decoded(c, "DTEND")) for c in components)
    first = min(epoch(s, zone) for s in starts)
    window = (first, first + days * 86400)
    cal = icalendar.Calendar()
    for name in ("VERSION", "PRODID", "CALSCALE", "X-WR-TIMEZONE"):
        if root.get(name) is not None:
            cal.add(name, root.get(name))
    for tz in timezones:
        cal.add_component(tz)
    for c in components:
        cal.add_component(c)
    # A day more on each side of the window for any offset; the exact window is applied below.
    margin = datetime.timedelta(days=2)
    a = datetime.datetime.fromtimestamp(window[0], zone) - margin
    b = datetime.datetime.fromtimestamp(window[1], zone) + margin
    out = []
    for occ in recurring_ical_events.of(cal).between(a, b):
        start = decoded(occ, "DTSTART")
        end = occurrence_end(occ, start)
        if all_day:
            start = as_day(start)
            if day_ends:
                end = as_day(end)
        s = epoch(start, zone)
        if not window[0] <= s < window[1]:
            continue
        out.append({
            "start": s,
            "end": epoch(end, zone),
            "cancelled": text(occ, "STATUS").strip().upper() == "CANCELLED",
        })
        if len(out) > MAX_OCCURRENCES:
            raise ValueError(f"more than {MAX_OCCURRENCES} occurrences in the window")
    out.sort(key=lambda o: (o["start"], o["end"], o["cancelled"]))
    return window, out


def one_file(path, zone, days):
    result = {"error": "", "events": [], "private": []}
    try:
        with open(path, "rb") as f:
            data = f.read()
        root = icalendar.Calendar.from_ical(data)
    except Timeout:
        raise
    except Exception as e:  # noqa: BLE001
        result["error"] = f"{type(e).__name__}: {e}"[:500]
        return result
    timezones = list(root.walk("VTIMEZONE"))
    groups = {}  # uid -> components, in file order
    order = []
    for ev in root.walk("VEVENT"):
        uid = ev.get("UID")
        key = ("uid", str(uid)) if uid is not None else ("none", len(order))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(ev)
    for key in order:
        comps = groups[key]
        uid = key[1] if key[0] == "uid" else None
        masters = [c for c in comps if c.get("RECURRENCE-ID") is None]
        main = masters[0] if masters else comps[0]
        summary = text(main, "SUMMARY")
        if is_private(main):
            result["private"].append({"uid": uid, "summary": summary})
            continue
        entry = {
            "uid": uid,
            "summary": summary,
            "series": any(m.get("RRULE") is not None or m.get("RDATE") is not None for m in masters),
            "overrides": len(comps) - len(masters),
            "from": None,
            "to": None,
            "error": "",
            "occurrences": [],
        }
        try:
            (entry["from"], entry["to"]), entry["occurrences"] = expand(
                root, timezones, comps, zone, days)
        except Timeout:
            raise
        except Exception as e:  # noqa: BLE001
            entry["error"] = f"{type(e).__name__}: {e}"[:500]
        result["events"].append(entry)
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path")
    p.add_argument("--zone", default="Europe/Paris")
    p.add_argument("--days", type=int, default=730)
    args = p.parse_args()
    zone = ZoneInfo(args.zone)
    if os.path.isdir(args.path):
        paths = sorted(
            os.path.join(args.path, n) for n in os.listdir(args.path) if n.lower().endswith(".ics"))
    else:
        paths = [args.path]
    signal.signal(signal.SIGALRM, _alarm)
    files = {}
    for path in paths:
        name = os.path.basename(path)
        signal.alarm(FILE_SECONDS)
        try:
            files[name] = one_file(path, zone, args.days)
        except Timeout as e:
            files[name] = {"error": f"Timeout: {e}", "events": [], "private": []}
        except BaseException as e:  # noqa: BLE001 (RecursionError, MemoryError...)
            if isinstance(e, KeyboardInterrupt):
                raise
            files[name] = {"error": f"{type(e).__name__}: {e}"[:500], "events": [], "private": []}
            traceback.print_exc(file=sys.stderr)
        finally:
            signal.alarm(0)
    json.dump({"zone": args.zone, "days": args.days, "files": files}, sys.stdout,
              ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
