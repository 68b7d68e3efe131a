"""The change history: who changed what, when, before and after; and who revealed which personal data."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

FINGERPRINT_LABELS = {"id_number": _("证件号码"), "phone": _("联系电话")}
# Words a service records in place of a value (accounts.services, a reset password), shown in the reader's language.
RECORDED_PHRASES = frozenset({gettext_noop("（原密码）"), gettext_noop("（已由管理员重置）"), gettext_noop("（未启用）"),
                              gettext_noop("（已启用）")})


def _model_named(object_type: str):
    from django.apps import apps

    return next((m for m in apps.get_models() if m._meta.model_name == object_type), None)


def _local_time(text: str) -> str | None:
    """A recorded moment (ISO, kept in UTC) as the reader's local time, 2026-12-07 14:05; None if not one."""
    import datetime as dt

    from django.utils import timezone

    if len(text) < 19 or text[10] != "T":
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def related_field(object_type: str, name: str):
    """The foreign key a recorded field (its attname, unit_id) stands for, or None."""
    model = _model_named(object_type)
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.is_relation and field.many_to_one else None


def describe_value(object_type: str, name: str, value, related: dict | None = None) -> tuple[str, str]:
    """A recorded field and value as a page shows them: 户类型 脱贫户, not household_type formerly_poor; a
    related object by its name (帮扶单位 成都大学, not unit_id 3, when `related` holds it: audit_subjects reads
    them per page); a moment in local time."""
    label, display = FINGERPRINT_LABELS.get(name, name), value
    model = _model_named(object_type)
    if model is not None and name not in FINGERPRINT_LABELS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is not None:
            label = str(field.verbose_name)
            if field.choices:
                display = dict(field.flatchoices).get(value, value)
            elif field.is_relation and value is not None and related:
                display = related.get((field.related_model, str(value)), value)
    if isinstance(display, str) and (moment := _local_time(display)):
        display = moment
    if isinstance(display, bool):
        display = _("是") if display else _("否")
    if isinstance(display, str) and display in RECORDED_PHRASES:
        display = gettext(display)
    if isinstance(display, str) and display.startswith("指纹 "):  # as audit.services.snapshot records it
        display = _("指纹 %(fingerprint)s") % {"fingerprint": display.removeprefix("指纹 ")}
    if display is None or display == "":
        display = "—"
    return str(label), str(display)


class ChangeRecord(models.Model):
    """One create, update or delete of a domain object. Immutable: never edited, never deleted by the app.

    Personal data appears here only masked; ciphertexts and blind indexes are never copied in.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=40)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    household_id = models.BigIntegerField(_("所属户"), null=True, blank=True, db_index=True)
    region_code = models.CharField(_("所属区划"), max_length=12, blank=True, db_index=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_id}"

    @property
    def values_for_display(self) -> list[tuple[str, str]]:
        """What a creation recorded, in the words users know (empty fields left out): 户编号 …, 户类型 一般农户."""
        values = self.after or {}
        rows = []
        for key, value in values.items():
            if value in (None, "", False) or (key.endswith("_masked") is False and f"{key}_masked" in values):
                continue
            rows.append(describe_value(self.object_type, key, value, getattr(self, "related_labels", None)))
        return rows

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) of each changed field, as recorded."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    @property
    def changes_for_display(self) -> list[tuple[str, str, str]]:
        """The same, in the words users know: verbose names and choice labels (户类型：一般农户 → 脱贫户).
        A phone kept both as fingerprint and masked form shows once, as its masked form."""
        rows = []
        changed = self.changed_fields
        masked_too = {key.removesuffix("_masked") for key, _old, _new in changed if key.endswith("_masked")}
        for key, old, new in changed:
            if key in masked_too:
                continue
            related = getattr(self, "related_labels", None)
            label, old_text = describe_value(self.object_type, key, old, related)
            rows.append((label, old_text, describe_value(self.object_type, key, new, related)[1]))
        return rows


class RevealRecord(models.Model):
    """A user saw an unmasked ID number, phone or bank account, or exported personal data."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT,
                              related_name="+")
    field = models.CharField(_("字段"), max_length=30)
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=40)
    household_id = models.BigIntegerField(_("所属户"), null=True, blank=True, db_index=True)
    region_code = models.CharField(_("所属区划"), max_length=12, blank=True, db_index=True,
                                   help_text=_("查看对象所在村；导出时为导出人所属区划"))
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)
    # A release of a list (an export, a document, an API answer): which list, under which filter, how many rows
    # (counted when the file is written: empty while an export job waits).
    what = models.CharField(_("名单"), max_length=100, blank=True)
    filters = models.CharField(_("筛选条件"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)

    class Meta:
        verbose_name = _("敏感信息查看记录")
        verbose_name_plural = _("敏感信息查看记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.field} {self.object_id}"

    FIELD_LABELS = {"id_number": _("查看身份证号"), "phone": _("查看联系电话"), "export_masked": _("导出台账（脱敏）"),
                    "export_full": _("导出台账（含完整身份证号和电话）"),
                    "export_named": _("导出名单（含姓名及健康、残疾、收入或案件信息）"),
                    "export_figures": _("导出统计表（汇总数字，不含姓名）"),
                    "document": _("生成含姓名及个人情况的文书"), "api": _("接口返回含姓名及个人情况的数据")}

    @property
    def field_label(self) -> str:
        return self.FIELD_LABELS.get(self.field, self.field)


class SecurityEvent(models.Model):
    """Something the county's security officer should see: a failed login, a lock, an ID number found
    registered outside the user's jurisdiction, a duplicate check locked. Never holds an identifier in clear."""

    class Kind(models.TextChoices):
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGIN_LOCKED = "login_locked", _("登录已锁定")
        TOTP_FAILED = "totp_failed", _("动态验证码错误")
        DUPLICATE_ELSEWHERE = "duplicate_elsewhere", _("证件号码已在辖区外登记")
        DUPLICATE_CHECK_LOCKED = "duplicate_check_locked", _("证件号码查重已锁定")
        REFUSALS = "refusals", _("频繁被拒绝访问")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("事件"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    username = models.CharField(_("用户名"), max_length=150, blank=True,
                                help_text=_("登录时输入的用户名（可能并不存在）"))
    address = models.CharField(_("来源地址"), max_length=45, blank=True)
    region_code = models.CharField(_("所属区划"), max_length=12, blank=True, db_index=True,
                                   help_text=_("用户所属区划；不存在的用户名为空，由县级及以上查看"))
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username}"


class ApiCall(models.Model):
    """One call to the JSON API made with a token (接口调用记录): who, with which token, what, the answer's status.
    Calls with a bad, expired or revoked token are kept too (token empty), so probing shows."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    token = models.ForeignKey("accounts.ApiToken", verbose_name=_("令牌"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="calls")
    token_prefix = models.CharField(_("令牌开头"), max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("地址"), max_length=300)
    status = models.PositiveSmallIntegerField(_("状态码"))
    address = models.CharField(_("来源地址"), max_length=45, blank=True)
    region_code = models.CharField(_("所属区划"), max_length=12, blank=True, db_index=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)

    class Meta:
        verbose_name = _("接口调用记录")
        verbose_name_plural = _("接口调用记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
