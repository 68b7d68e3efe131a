"""One person, one index entry, for members registered before that rule: re-index them, and report the same
person registered twice.

Before, a member whose document type was 其他 or 残疾人证 was indexed under "type:number", so a resident ID number
that arrived under those types escaped the unique index. The registry now indexes a resident ID number bare
whatever the type (registry.services._identity_digest). `members_identity_reindex` brings the older rows under the
rule; a row whose person is already indexed (the same person registered twice) keeps its old entry and is
reported, never merged or deleted: which registration is right is a person's decision. Run by a data migration
(registry 0008) and by `bangfu check-duplicates`, which also lists what is left to resolve.
"""

import logging
from dataclasses import dataclass, field

from bangfu.core.crypto import field_cipher
from bangfu.registry import choices as c

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DuplicatePerson:
    """A member whose resident ID number is already indexed for another member."""

    member_id: int
    member_name: str
    household_number: str
    holder_id: int
    holder_name: str
    holder_household_number: str
    id_type: str


@dataclass
class ReindexResult:
    checked: int = 0
    reindexed: int = 0
    duplicates: list[DuplicatePerson] = field(default_factory=list)


def members_identity_reindex(*, member_model=None, batch_size: int = 500) -> ReindexResult:
    """Give every member registered under another document type the index entry the current rule gives it.

    member_model: the model to work on (a migration passes its historical Member); by default the registry's.
    Each row is updated only if its entry is still the one read (a concurrent edit wins)."""
    from bangfu.registry.services import _identity_digest

    if member_model is None:
        from bangfu.registry.models import Member as member_model
    result = ReindexResult()
    candidates = (member_model.objects.exclude(id_type=c.IdType.RESIDENT_ID).exclude(id_number_cipher="")
                  .order_by("pk").values_list("pk", "id_type", "id_number_cipher", "id_number_digest"))
    cipher = None
    last = 0
    while True:
        batch = list(candidates.filter(pk__gt=last)[:batch_size])
        if not batch:
            return result
        cipher = cipher or field_cipher()
        for pk, id_type, token, digest in batch:
            result.checked += 1
            wanted = _identity_digest(id_type, cipher.decrypt("id_number", token))
            if wanted == digest:
                continue
            holder = member_model.objects.filter(id_number_digest=wanted).exclude(pk=pk).first()
            if holder is not None:
                result.duplicates.append(_duplicate(member_model, pk, holder, id_type))
                continue
            result.reindexed += member_model.objects.filter(pk=pk, id_number_digest=digest).update(
                id_number_digest=wanted)
        last = batch[-1][0]


def _duplicate(member_model, pk: int, holder, id_type: str) -> DuplicatePerson:
    member = member_model.objects.select_related("household").get(pk=pk)
    holder = member_model.objects.select_related("household").get(pk=holder.pk)
    return DuplicatePerson(member_id=member.pk, member_name=member.name, household_number=member.household.number,
                           holder_id=holder.pk, holder_name=holder.name,
                           holder_household_number=holder.household.number, id_type=id_type)


def duplicate_line(duplicate: DuplicatePerson) -> str:
    """One line for the operator (no ID number: the household numbers and names find the two registrations)."""
    kind = dict(c.IdType.choices).get(duplicate.id_type, duplicate.id_type)
    return (f"同一人重复登记：户编号 {duplicate.household_number} 的成员 {duplicate.member_name}（编号 "
            f"{duplicate.member_id}，证件类型 {kind}）与户编号 {duplicate.holder_household_number} 的成员 "
            f"{duplicate.holder_name}（编号 {duplicate.holder_id}）是同一身份证号")


def reindex_report(result: ReindexResult) -> None:
    """The operator's log: how many were re-indexed, and each duplicate person (by member and household ids)."""
    if result.reindexed:
        log.warning("re-indexed %s member(s) whose resident ID number was registered under another document type",
                    result.reindexed)
    for duplicate in result.duplicates:
        log.warning("duplicate person: member %s (household %s) has the resident ID number of member %s "
                    "(household %s); run `bangfu check-duplicates`", duplicate.member_id,
                    duplicate.household_number, duplicate.holder_id, duplicate.holder_household_number)
