"""A department system posts a month's file with its token and gets the page's preview report, then commits it:
the same services (monitoring.feed_import), the same checks and messages, the same history as the upload page."""

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from bangfu.accounts.tokens import api_token_create
from bangfu.audit.models import ApiCall, ChangeRecord
from bangfu.monitoring.models import FeedRow, FeedUpload
from tests.conftest import TUANJIE, make_user
from tests.monitoring.factories import head

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "患者姓名", "公民身份号码", "入院时间", "出院时间", "住院总费用", "统筹支付", "个人自付金额", "医院名称"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clerk(regions):
    return make_user("yibao_clerk", "department_operator", "513225000000")


@pytest.fixture
def feeds_token(county_admin, clerk):
    return api_token_create(actor=county_admin, user=clerk, scopes=["feeds"], days=90)[1]


@pytest.fixture
def medical_xlsx(tmp_path, make_household):
    """Two people of 团结村 with hospital stays, one row with a bad ID number, one person from nowhere."""
    people = [head(make_household(TUANJIE)) for _ in range(2)]
    path = tmp_path / "医保10月.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("住院结算")
    sheet.write_string(0, 0, "九寨沟县2026年10月住院结算明细")
    for c, header in enumerate(HEADERS):
        sheet.write_string(1, c, header)
    rows = [[1, people[0].name, people[0].reveal_id_number(), "2026-10-03", "2026-10-08", 9000, 3000, 6000, "县医院"],
            [2, people[1].name, people[1].reveal_id_number(), "2026-10-10", "2026-10-12", 2000, 1500, 500, "县医院"],
            [3, "某某", "51322519800101001", "2026-10-10", "2026-10-12", 2000, 1500, 500, "县医院"]]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            (sheet.write_number if isinstance(value, int) else sheet.write_string)(r, c, value)
    workbook.close()
    return path


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Post a file as a department system does; the preview job runs when the request's writes commit (here: the
    test's captured on-commit callbacks, as the worker would pick it up)."""

    def post(token, path, *, kind="medical", period="2026-10"):
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/api/v1/feeds/{kind}?period={period}", {"file": upload},
                               HTTP_AUTHORIZATION=f"Bearer {token}")

    return post


def test_post_gives_the_preview_report_then_commit_writes_the_good_rows(client, clerk, feeds_token, medical_xlsx,
                                                                        post, django_capture_on_commit_callbacks):
    response = post(feeds_token, medical_xlsx)
    assert response.status_code == 202
    assert response.json()["status"] == "uploaded"  # the preview starts once the upload is kept
    run = client.get(f"/api/v1/feeds/runs/{response.json()['id']}", HTTP_AUTHORIZATION=f"Bearer {feeds_token}").json()
    assert (run["kind"], run["period"], run["status"]) == ("medical", "2026-10", "previewed")
    assert run["report"]["counts"] == {"rows": 3, "matched": 2, "unmatched": 0, "invalid": 1, "duplicates": 0}
    (error,) = run["report"]["errors"]
    assert (error["row"], error["column"]) == (5, "公民身份号码") and error["message"]
    assert FeedRow.objects.count() == 0  # a preview writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        committed = client.post(f"/api/v1/feeds/runs/{run['id']}/commit", HTTP_AUTHORIZATION=f"Bearer {feeds_token}")
    assert committed.status_code == 202
    done = client.get(f"/api/v1/feeds/runs/{run['id']}", HTTP_AUTHORIZATION=f"Bearer {feeds_token}").json()
    assert done["status"] == "committed"
    upload = FeedUpload.objects.get(pk=done["upload_id"])
    assert (upload.uploaded_by, upload.rows, upload.matched, upload.invalid) == (clerk, 3, 2, 1)
    assert FeedRow.objects.filter(upload=upload).count() == 2
    assert ChangeRecord.objects.filter(object_type="feedupload", object_id=str(upload.pk), actor=clerk).exists()
    assert ApiCall.objects.filter(actor=clerk).count() == 4

    twice = client.post(f"/api/v1/feeds/runs/{run['id']}/commit", HTTP_AUTHORIZATION=f"Bearer {feeds_token}")
    assert twice.status_code == 400 and "不能重复提交" in twice.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_post_that_waits_answers_with_the_preview_report(client, feeds_token, medical_xlsx):
    """Committed as a server commits (no test transaction around it), the preview job starts once the run names
    it: the job (here run at once, as a quick worker would) must not be overtaken by the request's own save, which
    used to set the finished run back to 已上传 for ever."""
    upload = SimpleUploadedFile(medical_xlsx.name, medical_xlsx.read_bytes())
    response = client.post("/api/v1/feeds/medical?period=2026-10&wait=5", {"file": upload},
                           HTTP_AUTHORIZATION=f"Bearer {feeds_token}")
    assert response.status_code == 202
    run = response.json()
    assert (run["status"], run["status_label"]) == ("previewed", "已预览")
    assert run["report"]["counts"] == {"rows": 3, "matched": 2, "unmatched": 0, "invalid": 1, "duplicates": 0}


def test_a_department_posts_only_its_own_kind_with_the_pages_message(post, feeds_token, medical_xlsx):
    response = post(feeds_token, medical_xlsx, kind="civil_affairs")
    assert response.status_code == 403
    assert response.json()["detail"] == "您所属的部门县医保局不能上传“民政救助”数据（由县民政局报送）"
    assert post(feeds_token, medical_xlsx).status_code == 202  # control


@pytest.mark.parametrize(("period", "accepted"), [("2026-10", True), ("2026-13", False), ("202610", False)])
def test_the_month_is_checked_as_on_the_page(post, feeds_token, medical_xlsx, period, accepted):
    response = post(feeds_token, medical_xlsx, period=period)
    assert response.status_code == (202 if accepted else 400)
    if not accepted:
        assert "period" in response.json()["detail"]


def test_a_wrong_file_type_is_refused_naming_the_field(post, feeds_token, tmp_path):
    path = tmp_path / "说明.pdf"
    path.write_bytes(b"%PDF-1.4 not a table")
    response = post(feeds_token, path)
    assert response.status_code == 400 and "不支持的文件类型“.pdf”" in response.json()["detail"]


def test_a_text_file_that_is_no_table_fails_with_the_readers_message(client, post, feeds_token, tmp_path):
    path = tmp_path / "说明.txt"
    path.write_text("这不是表格", encoding="utf-8")
    run = post(feeds_token, path).json()
    failed = client.get(f"/api/v1/feeds/runs/{run['id']}", HTTP_AUTHORIZATION=f"Bearer {feeds_token}").json()
    assert failed["status"] == "failed" and failed["status_label"] == "失败" and failed["message"]
    assert FeedUpload.objects.count() == 0


def test_another_users_run_is_not_found_and_discard_writes_nothing(client, county_admin, clerk, feeds_token,
                                                                   medical_xlsx, post):
    run = post(feeds_token, medical_xlsx).json()
    other = make_user("yibao_other", "department_operator", "513225000000")
    _t, other_token = api_token_create(actor=county_admin, user=other, scopes=["feeds"], days=9)
    assert client.get(f"/api/v1/feeds/runs/{run['id']}", HTTP_AUTHORIZATION=f"Bearer {other_token}").status_code == 404
    discarded = client.post(f"/api/v1/feeds/runs/{run['id']}/discard", HTTP_AUTHORIZATION=f"Bearer {feeds_token}")
    assert discarded.status_code == 200 and discarded.json()["message"] == "已放弃，未写入任何数据"
    assert FeedUpload.objects.count() == 0 and FeedRow.objects.count() == 0


def test_a_path_no_operation_names_is_answered_in_json(client):
    response = client.get("/api/v1/feeds/runs/1/comit")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert "没有这个接口" in response.json()["detail"]
    assert client.get("/api/v2/warnings").json()["detail"].startswith("没有这个接口")
