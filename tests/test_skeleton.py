def test_it_serves_healthz_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_requires_login_for_pages(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")
