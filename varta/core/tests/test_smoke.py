from varta.accounts.permissions import Role


def test_it_redirects_anonymous_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_shows_home_to_member(personas, login_as):
    client = login_as(personas.a.user(Role.CASE_WORKER))
    response = client.get("/")
    assert response.status_code == 200
    assert "Alpha Aid" in response.content.decode()


def test_it_reports_health(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_it_sends_a_hotline_operator_to_the_operator_screen(personas, login_as):
    client = login_as(personas.a.user(Role.HOTLINE_OPERATOR))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/hotline/contacts/new/"
