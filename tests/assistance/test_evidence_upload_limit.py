"""Evidence files come under the one upload limit too (BANGFU_UPLOAD_MAX_MB, tests/web/test_upload_limit.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

MB = 2**20


def test_evidence_uploads_have_the_same_limit(client, records, cdu, cdu_liaison, settings):
    from bangfu.assistance.models import EvidenceFile

    settings.UPLOAD_MAX_BYTES = MB
    client.force_login(cdu_liaison)
    url = reverse("assistance:ledger_evidence", args=["fund", records[cdu.pk]["fund"].pk])
    response = client.post(url, {"file": SimpleUploadedFile("照片.jpg", b"x" * (MB + 1))})
    assert response.status_code == 413 and not EvidenceFile.objects.exists()
