from datetime import timedelta

from hotline.db import utcnow


def test_incoming_rings_primary(twilio, make_hotline, make_person, make_slot):
    hotline = make_hotline()
    alice, bob = make_person("Alice"), make_person("Bob")
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=1), now + timedelta(hours=1), [alice, bob])
    resp = twilio.post(
        "/voice/incoming", {"CallSid": "CA1", "From": "+33611111111", "To": hotline.number}
    )
    assert resp.status_code == 200
    print(resp.get_data(as_text=True))
    assert alice.mobile in resp.get_data(as_text=True)
