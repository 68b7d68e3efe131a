from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from bangfu.accounts.models import ApiToken, User
from bangfu.accounts.tokens import (
    TOKEN_PREFIX_LENGTH,
    api_token_create,
    api_token_revoke,
    api_token_scopes_parse,
    api_tokens_visible_to,
)


def _refuse(error: ValidationError, what: str) -> CommandError:
    lines = [f"{field}: {'；'.join(messages)}" for field, messages in error.message_dict.items()]
    return CommandError(f"{what}：\n  " + "\n  ".join(lines))


class Command(BaseCommand):
    help = ("API tokens: bangfu token create --user NAME --scope feeds --days 90 [--name TEXT] (prints the token "
            "once) | bangfu token list [--user NAME] | bangfu token revoke PREFIX")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token (printed once)")
        create.add_argument("--user", required=True)
        create.add_argument("--scope", required=True, help="feeds, read, or both: feeds,read")
        create.add_argument("--days", type=int, required=True)
        create.add_argument("--name", default="", help="what it is for, e.g. 医保局系统")
        listing = sub.add_parser("list", help="tokens with their state (never the token itself)")
        listing.add_argument("--user", default="")
        revoke = sub.add_parser("revoke", help="end a token now")
        revoke.add_argument("prefix", help="the token's first characters as `token list` shows them")

    def handle(self, *args, action, **options):
        translation.activate(settings.LANGUAGE_CODE)
        getattr(self, f"_{action}")(**options)

    @staticmethod
    def _user(username: str) -> User:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise CommandError(f"没有用户“{username}”")
        return user

    def _create(self, *, user, scope, days, name, **_):
        account = self._user(user)
        try:
            token, raw = api_token_create(actor=None, user=account, scopes=api_token_scopes_parse(scope), days=days,
                                          name=name)
        except ValidationError as error:
            raise _refuse(error, "未创建令牌") from None
        self.stderr.write(f"已为 {account.username} 创建接口令牌（{token.scope_labels}），"
                          f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M} 到期。令牌只显示这一次，请妥善保存：")
        self.stdout.write(raw)

    def _list(self, *, user, **_):
        tokens = api_tokens_visible_to(None, user=self._user(user) if user else None)
        now = timezone.now()
        states = {"active": "有效", "expired": "已过期", "revoked": "已吊销"}
        for token in tokens:
            self.stdout.write(f"{token.prefix}\t{token.user.username}\t{token.scopes}\t{states[token.state(now)]}\t"
                              f"{timezone.localtime(token.expires_at):%Y-%m-%d}\t{token.name}")

    def _revoke(self, *, prefix, **_):
        # Part of the prefix, the prefix, or more of the token (up to all of it, pasted from where it is kept).
        matches = list(ApiToken.objects.filter(prefix__startswith=prefix[:TOKEN_PREFIX_LENGTH],
                                               revoked_at__isnull=True)[:2])
        if len(prefix) < 6 or not matches:
            raise CommandError(f"没有以“{prefix}”开头的有效令牌（至少给出 6 个字符，见 bangfu token list）")
        if len(matches) > 1:
            raise CommandError(f"以“{prefix}”开头的令牌不止一个：请多给几个字符")
        try:
            token = api_token_revoke(actor=None, token=matches[0])
        except ValidationError as error:
            raise _refuse(error, "未吊销") from None
        self.stdout.write(f"已吊销令牌 {token.prefix}…（{token.user.username}）")
