"""A write that cannot get SQLite's lock within the busy timeout answers 503 in Chinese, not a raw error."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_write_blocked_past_the_busy_timeout_gets_a_chinese_503(client, make_household, county_admin):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL waits on row locks instead")
    household = make_household()
    member = household.members.get()
    client.force_login(county_admin)
    holding, release = threading.Event(), threading.Event()

    def hold_the_write_lock():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("BEGIN IMMEDIATE")
                holding.set()
                release.wait(30)
                cursor.execute("ROLLBACK")
        finally:
            other.close()

    thread = threading.Thread(target=hold_the_write_lock)
    thread.start()
    holding.wait(10)
    connection.close()
    timeout = connection.settings_dict["OPTIONS"].get("timeout")
    connection.settings_dict["OPTIONS"]["timeout"] = 0.2  # this request's connection gives up quickly
    try:
        response = client.post(reverse("registry:member_id_reveal", args=[member.pk]))
    finally:
        connection.close()
        connection.settings_dict["OPTIONS"]["timeout"] = timeout
        release.set()
        thread.join()
    body = response.content.decode()
    assert response.status_code == 503 and "系统繁忙" in body and "locked" not in body
    assert response["Retry-After"] == "10"
