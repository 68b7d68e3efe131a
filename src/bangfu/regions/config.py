"""Configuration per region: the one resolver every setting goes through.

Every table of configuration (workflow settings, transitions, the measure catalogue, warning rules, attendance
quotas, grades, village role requirements, monitoring lines, the care lists' ages, the months counted as
employed, added assistance indicators) keeps its rows per region: a county, a prefecture
or the province. Rows without a region are the shipped defaults. What is in force for a place is the set of rows
of the nearest enclosing region that has any (county, then prefecture, then province), else the defaults. A
region's rows are edited only by an administrator bound to that very region; editing an inherited row first
copies the inherited set to the editor's region ("take over"), so the change never reaches a neighbour.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The levels that may own configuration, narrowest first, by the length of their code prefix.
CONFIG_PREFIXES = (6, 4, 2)
CONFIG_LEVELS = ("county", "city", "province")


def region_chain(code: str | None) -> list[str]:
    """The county, prefecture and province enclosing `code` (any level), nearest first, without repeats."""
    if not code:
        return []
    chain: list[str] = []
    for n in CONFIG_PREFIXES:
        enclosing = code[:n].ljust(12, "0")
        if enclosing not in chain:
            chain.append(enclosing)
    return chain


def config_owner(model: type[models.Model], region_code: str | None, *, field: str = "region") -> str | None:
    """The code of the region whose rows of `model` are in force at `region_code`; None: the shipped defaults."""
    chain = region_chain(region_code)
    if not chain:
        return None
    owners = set(model._default_manager.filter(**{f"{field}_id__in": chain})
                 .values_list(f"{field}_id", flat=True).distinct())
    return next((code for code in chain if code in owners), None)


def config_rows(model: type[models.Model], region_code: str | None, *, field: str = "region") -> models.QuerySet:
    """The rows of `model` in force at `region_code` (a county, a village, a prefecture...): the nearest
    enclosing region's own rows, else the shipped defaults (rows without a region)."""
    manager = model._default_manager
    chain = region_chain(region_code)
    if not chain:
        return manager.filter(**{f"{field}__isnull": True})
    # The chain's codes share their prefix and end in zeros, so the nearest region is the greatest code: the owner
    # is a subquery and the rows come in one query (list pages pin their query counts).
    owner = (manager.filter(**{f"{field}_id__in": chain}).order_by(f"-{field}_id")
             .values(f"{field}_id")[:1])
    return manager.filter(models.Q(**{f"{field}_id": models.Subquery(owner)})
                          | (models.Q(**{f"{field}__isnull": True}) & ~models.Exists(owner)))


def config_pick(rows: list, region_code: str | None, *, field: str = "region") -> list:
    """config_rows over rows already read (every region's): the ones in force at `region_code`. For pages that
    need every region's rows anyway and pin their query counts."""
    owners = {getattr(row, f"{field}_id") for row in rows}
    owner = next((code for code in region_chain(region_code) if code in owners), None)
    return [row for row in rows if getattr(row, f"{field}_id") == owner]


def config_nearest(model: type[models.Model], region_code: str | None, *, field: str = "region",
                   values: tuple[str, ...] = ()):
    """For one-row-per-region configuration: the row in force at `region_code` (the nearest enclosing region's,
    else the shipped row without a region), in one query; `values` gives a dict of those fields instead of the
    row. None when there is no row at all."""
    chain = region_chain(region_code)
    rows = model._default_manager.filter(models.Q(**{f"{field}_id__in": chain}) | models.Q(**{f"{field}__isnull": True}))
    rows = list(rows.values(f"{field}_id", *values) if values else rows)
    rank = {code: i for i, code in enumerate(chain)}

    def nearness(row):
        owner = row[f"{field}_id"] if values else getattr(row, f"{field}_id")
        return rank.get(owner, len(chain))

    return min(rows, key=nearness, default=None)


def config_region_of(actor) -> str | None:
    """The region whose configuration the actor edits: the one they are bound to (a superuser without one edits
    the shipped defaults)."""
    return actor.region_id or None


def config_require_editor(actor, region_code: str | None) -> None:
    """Refuse unless the actor administers exactly `region_code` (None: the shipped defaults, superuser only).
    The caller has checked the role's capability; this checks the place."""
    if actor.is_superuser:
        return
    if not region_code or actor.region_id != region_code:
        raise PermissionDenied(_("只能修改本级（%(place)s）的配置；其他地区的配置由该地区的管理员修改") % {
            "place": actor.region.name if actor.region_id else "—"})
    if actor.region.level not in CONFIG_LEVELS:
        raise PermissionDenied(_("配置按县、州（市）或省设定，乡镇和村不能单独设定"))


def config_take_over(model: type[models.Model], region_code: str | None, *, field: str = "region",
                     prepare=None, taken_over=None) -> dict[int, models.Model]:
    """Make `region_code` own its rows of `model`: if it inherits them, copy the inherited rows to it.
    Returns {inherited pk: own row} (own rows map to themselves). `prepare(row)` adjusts each copy."""
    owner = config_owner(model, region_code, field=field)
    rows = list(config_rows(model, region_code, field=field))
    if owner == region_code or region_code is None:
        return {row.pk: row for row in rows}
    mapping = {}
    for row in rows:
        old_pk = row.pk
        row.pk = None
        row._state.adding = True
        setattr(row, f"{field}_id", region_code)
        if prepare:
            prepare(row)
        row.save()
        mapping[old_pk] = row
    if taken_over:
        taken_over(region_code, mapping)
    return mapping


def config_row_for_edit(model: type[models.Model], row: models.Model, actor, *, field: str = "region",
                        prepare=None, taken_over=None) -> models.Model:
    """The row the actor's change lands on: the row itself if their region owns it; their own copy if they
    inherit it; refused if it belongs to another region (another county's, or a region not above theirs)."""
    region_code = config_region_of(actor)
    config_require_editor(actor, region_code)
    owned_by = getattr(row, f"{field}_id")
    if owned_by == region_code:
        return row
    if owned_by != config_owner(model, region_code, field=field):
        raise PermissionDenied(_("该配置属于其他地区，只能由该地区的管理员修改"))
    return config_take_over(model, region_code, field=field, prepare=prepare, taken_over=taken_over)[row.pk]


def config_q(model: type[models.Model], condition, *, village_field: str, field: str = "region") -> models.Q:
    """A condition whose numbers are one-row-per-region configuration (ages, months), over rows of any place:
    `condition(row)` built with the row in force in each county, limited to that county's villages
    (`village_field`), OR-ed together; counties sharing a row share one branch. Where no region has its own row,
    simply the shipped row's condition. A prefecture's list thus counts each county by its own definition."""
    from bangfu.core.scoping import code_range_q
    from bangfu.regions.models import Region

    rows = list(model._default_manager.all())
    default = next((row for row in rows if getattr(row, f"{field}_id") is None), None) or model()
    if all(getattr(row, f"{field}_id") is None for row in rows):
        return condition(default)
    rank_rows = {getattr(row, f"{field}_id"): row for row in rows}
    branches: dict[int | None, tuple[models.Model, list[Region]]] = {}
    for county in Region.objects.filter(level=Region.Level.COUNTY).only("code", "level"):
        row = next((rank_rows[code] for code in region_chain(county.code) if code in rank_rows), default)
        branches.setdefault(row.pk, (row, []))[1].append(county)
    q = models.Q(pk__in=[])
    for row, counties in branches.values():
        where = models.Q(pk__in=[])
        for county in counties:
            where |= code_range_q(county.code_range, field=village_field)
        q |= where & condition(row)
    return q


# --- where the values in force come from, and going back to them ---------------------------------------------

def config_source(model: type[models.Model], region_code: str | None, *, field: str = "region"):
    """The region whose rows of `model` are in force at `region_code` (the Region), or None: the shipped
    defaults. The same resolution as config_rows and config_nearest (the nearest enclosing region with rows)."""
    from bangfu.regions.models import Region

    code = config_owner(model, region_code, field=field)
    return Region.objects.filter(code=code).first() if code else None


SELF_WORDS = {"county": gettext_lazy("本县"), "city": gettext_lazy("本州（市）"), "province": gettext_lazy("本省")}


class ConfigProvenance:
    """What a settings page says about the values it shows: 本级设置 (the reader's region owns them),
    继承自<region> (an enclosing region's rows), or 系统默认 (the shipped rows without a region).
    `owner`: the owning Region or None; `level`: the reader's region's level (how the page names it)."""

    OWN, INHERITED, DEFAULT = "own", "inherited", "default"

    def __init__(self, owner, region_code: str | None, *, kind: str = "", editable: bool = False,
                 what: str = "", level: str | None = None):
        self.owner, self.region_code, self.kind, self.what, self.level = owner, region_code, kind, what, level
        owner_code = getattr(owner, "code", None)
        self.state = (self.DEFAULT if owner_code is None
                      else self.OWN if owner_code == region_code else self.INHERITED)
        self.editable = editable

    @property
    def is_own(self) -> bool:
        return self.state == self.OWN

    @property
    def label(self) -> str:
        if self.state == self.OWN:
            return _("本级设置")
        if self.state == self.INHERITED:
            return _("继承自%(region)s") % {"region": self.owner.name}
        return _("系统默认")

    @property
    def self_word(self) -> str:
        """本县 / 本州（市） / 本省: how the page names the reader's region."""
        return str(SELF_WORDS.get(self.level) or _("本级"))

    @property
    def takes_over_on_save(self) -> bool:
        """Saving on this page creates the region's own rows (its administrator edits inherited values)."""
        return self.editable and not self.is_own

    @property
    def can_revert(self) -> bool:
        return self.editable and self.is_own


def config_provenance(model: type[models.Model], region_code: str | None, *, field: str = "region",
                      kind: str = "", editable: bool = False, what: str = "") -> ConfigProvenance:
    """The provenance of `model`'s values at `region_code` for a page (`kind` names the revert action, see
    bangfu.web.config_sources; `editable`: the reader administers exactly that region). One query: the enclosing
    regions, each marked whether it has rows of `model` (the owner is the nearest that has; as config_owner)."""
    from bangfu.regions.models import Region

    chain = region_chain(region_code)
    owns = models.Exists(model._default_manager.filter(**{f"{field}_id": models.OuterRef("code")}))
    regions = {region.code: region for region in
               Region.objects.filter(code__in=[*chain, region_code or ""]).annotate(owns=owns)
               .only("code", "name", "level")}
    owner = next((regions[code] for code in chain if code in regions and regions[code].owns), None)
    reader = regions.get(region_code or "")
    return ConfigProvenance(owner, region_code, kind=kind, editable=editable, what=what,
                            level=reader.level if reader else None)


def config_can_edit(actor, region_code: str | None, capability: str) -> bool:
    """The actor may edit `region_code`'s configuration: the capability, and bound to that very region."""
    from bangfu.cases.permissions import can as case_can

    allowed = case_can(actor, capability) if capability.startswith("cases.") else actor.can(capability)
    if not allowed:
        return False
    try:
        config_require_editor(actor, region_code)
    except PermissionDenied:
        return False
    return True


def config_revert(model: type[models.Model], *, actor, region_code: str | None, field: str = "region",
                  rows=None, key=None, referenced=(), after=None) -> list[models.Model]:
    """Delete `region_code`'s own rows of `model` (all of them, or the queryset `rows` of them) so the region
    reads its nearest ancestor's values again (or the shipped defaults). Only an administrator of that very region;
    the caller has checked the role's capability and holds the transaction. What points at an own row
    (`referenced`: (model, fk field) pairs, e.g. warnings → rules) moves to the inherited row with the same
    `key(row)` first. Audited: one change record, the own rows before, the rows in force after (`after()` gives
    them for a part of the rows, e.g. one year's line). Returns the rows now in force (all of them only)."""
    from django.core.exceptions import ValidationError

    from bangfu.audit.models import ChangeRecord
    from bangfu.audit.services import change_record, snapshot

    config_require_editor(actor, region_code)
    if not region_code:
        raise PermissionDenied(_("系统默认设置不能恢复为上级设置"))
    manager = model._default_manager
    own_rows = rows if rows is not None else manager.filter(**{f"{field}_id": region_code})
    own = list(own_rows.select_for_update().order_by("pk"))
    if not own or any(getattr(row, f"{field}_id") != region_code for row in own):
        raise ValidationError(_("本级没有自己的设置，已在使用上级设置"))
    before = [snapshot(row) for row in own]
    if referenced:
        parent = region_chain(region_code)[1:]  # the rows in force once the own rows are gone
        inherited = {key(row): row for row in config_rows(model, parent[0] if parent else None, field=field)} \
            if parent else {key(row): row for row in manager.filter(**{f"{field}__isnull": True})}
        for row in own:
            target = inherited.get(key(row))
            for referrer, fk in referenced:
                pointing = referrer._default_manager.filter(**{fk: row.pk})
                if target is None and pointing.exists():
                    raise ValidationError(_("“%(row)s”为本级自有，上级没有对应项，且已被使用，不能恢复为上级设置") % {
                        "row": row})
                pointing.update(**{fk: target.pk if target else None})
    manager.filter(pk__in=[row.pk for row in own]).delete()
    after_rows = [] if rows is not None else list(config_rows(model, region_code, field=field))
    if after is None:
        source = config_source(model, region_code, field=field)
        in_force = {"source": source.name if source else str(_("系统默认")),
                    "rows": [snapshot(row) for row in after_rows]}
    else:
        in_force = after()
    change_record(actor=actor, action=ChangeRecord.Action.DELETE, instance=own[0], before={"rows": before},
                  after=in_force, region_code=region_code, reason=str(_("恢复为上级设置")))
    return after_rows
