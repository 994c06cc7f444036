from tests.conftest import PASSWORD


def test_probe(acme):
    client = acme.client()
    for i in range(6):
        r = client.post("/login/", {"username": acme.ciso.email, "password": "wrong-password-xyz"}, REMOTE_ADDR="10.0.0.1")
        print(i, r.status_code, "Too many" in r.content.decode(), "Please enter" in r.content.decode())
    r = client.post("/login/", {"username": acme.ciso.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    print("right", r.status_code, "Too many" in r.content.decode())
    assert 0
