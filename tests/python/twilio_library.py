"""Drives the ivr-test emulator with the official Twilio Python helper library.

The library is used unchanged; only its API base URL points at the emulator. Called by the Rust
integration test `emulator::official_python_library_works_against_the_emulator` with one JSON
argument:

    {"base_url", "account_sid", "auth_token", "from", "to", "twiml_url", "callback_url",
     "webhooks_file"}

It creates, fetches, lists and hangs up a call, sends and lists messages, checks two REST errors,
and validates every webhook the test recorded (in `webhooks_file`) with the library's own
RequestValidator. Prints one line per check and `N passed, M failed`; exits non-zero on failure.
"""

import json
import sys
import time

from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client


def main() -> int:
    args = json.loads(sys.argv[1])
    client = Client(args["account_sid"], args["auth_token"])
    client.api.base_url = args["base_url"]
    results = []

    def check(name, condition, detail=""):
        results.append(bool(condition))
        print(("ok   " if condition else "FAIL ") + name + (f": {detail}" if detail and not condition else ""))

    call = client.calls.create(
        to=args["to"],
        from_=args["from"],
        url=args["twiml_url"],
        status_callback=args["callback_url"],
        status_callback_event=["initiated", "ringing", "answered", "completed"],
    )
    check("create call returns a CA sid", call.sid.startswith("CA") and len(call.sid) == 34, call.sid)
    check("a new call is queued", call.status == "queued", call.status)
    check("direction is outbound-api", call.direction == "outbound-api", call.direction)

    fetched = client.calls(call.sid).fetch()
    check("fetch returns the same call", fetched.sid == call.sid and fetched.to == args["to"], fetched.to)

    listed = [c.sid for c in client.calls.list(to=args["to"], limit=20)]
    check("list finds the call", call.sid in listed, listed)

    for _ in range(200):
        if client.calls(call.sid).fetch().status == "in-progress":
            break
        time.sleep(0.05)
    hung_up = client.calls(call.sid).update(status="completed")
    check("hang up through update", hung_up.sid == call.sid)
    for _ in range(200):
        status = client.calls(call.sid).fetch().status
        if status == "completed":
            break
        time.sleep(0.05)
    check("the call ends completed", status == "completed", status)

    try:
        client.calls(call.sid).update(url=args["twiml_url"])
        check("redirecting an ended call fails", False)
    except TwilioRestException as e:
        check("redirecting an ended call is 21220", e.code == 21220 and e.status == 400, e)

    try:
        client.calls.create(to="12", from_=args["from"], url=args["twiml_url"])
        check("an invalid To fails", False)
    except TwilioRestException as e:
        check("an invalid To is 21211", e.code == 21211 and e.status == 400, e)

    bad = Client(args["account_sid"], "wrong-token")
    bad.api.base_url = args["base_url"]
    try:
        bad.calls(call.sid).fetch()
        check("a wrong token fails", False)
    except TwilioRestException as e:
        check("a wrong token is 20003", e.code == 20003 and e.status == 401, e)

    message = client.messages.create(to=args["from"], from_=args["to"], body="Your balance is 42 dollars")
    check("create message returns an SM sid", message.sid.startswith("SM"), message.sid)
    messages = client.messages.list(to=args["from"], limit=50)
    check("list messages finds it", any(m.sid == message.sid for m in messages), [m.sid for m in messages])
    check("paging works with page_size 1", len(client.messages.list(to=args["from"], page_size=1, limit=5)) >= 1)

    validator = RequestValidator(args["auth_token"])
    with open(args["webhooks_file"], encoding="utf-8") as f:
        webhooks = json.load(f)
    check("webhooks were recorded", len(webhooks) > 0)
    for hook in webhooks:
        params = {k: v for k, v in hook["params"]}
        valid = validator.validate(hook["url"], params, hook["signature"])
        check(f"RequestValidator accepts {hook['url']}", valid)

    passed = sum(results)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
