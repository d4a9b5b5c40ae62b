"""What the server checks of every new history entry, beyond who may write it (pg_schema's policies).

Numbered right after the last entry and hashed as ledger/chain.py hashes: the history is append-only, so an entry
with a gap before it or a hash of anything else would make `gkplan check` fail for ever. And what a department's
entry may change: anything else would be replayed into states that today's row never shows.
"""

from __future__ import annotations

# chain.entry_hash: SHA-256 of the previous hash and the JSON list of the entry's fields (json.dumps with
# ensure_ascii=False escapes exactly what to_json escapes); `source` only where set. Once a statement, its rows
# together (a transition table), so that a push's COPY of a whole history pays one look.
IN_ORDER = r"""
CREATE OR REPLACE FUNCTION public.gkplan_history_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE lo bigint; hi bigint; n bigint; wrong bigint;
BEGIN
    SELECT min(id), max(id), count(*) INTO lo, hi, n FROM added;
    IF n > 0 AND (hi - lo + 1 <> n OR lo <> coalesce((SELECT max(h.id) FROM public.history h WHERE h.id < lo), 0) + 1
                  OR EXISTS (SELECT 1 FROM public.history h WHERE h.id > hi)) THEN
        RAISE EXCEPTION '历史记录号须紧接在最后一条之后（%–%）', lo, hi USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT min(x.id) INTO wrong FROM (SELECT a.id, a.hash, encode(pg_catalog.sha256(convert_to(
        coalesce(lag(a.hash) OVER (ORDER BY a.id), (SELECT h.hash FROM public.history h WHERE h.id = lo - 1), repeat('0', 64))
        || '[' || concat_ws(',', a.id::text, coalesce(to_json(a.plan)::text, 'null'), coalesce(a.point::text, 'null'),
            coalesce(to_json(a.entity)::text, 'null'), coalesce(to_json(a.ref)::text, 'null'),
            coalesce(to_json(a.action)::text, 'null'), coalesce(to_json(a.effective)::text, 'null'),
            coalesce(to_json(a.at)::text, 'null'), coalesce(to_json(a."by")::text, 'null'),
            coalesce(to_json(a.changes)::text, 'null'), coalesce(to_json(a.note)::text, 'null'),
            coalesce(a.cause::text, 'null'), coalesce(a.undoes::text, 'null'), to_json(a.source)::text) || ']',
        'UTF8')), 'hex') AS want FROM added a) x WHERE x.hash IS DISTINCT FROM x.want;
    IF wrong IS NOT NULL THEN
        RAISE EXCEPTION '历史记录 #% 与哈希链不符（哈希不是由前一条和它的内容算出的）', wrong
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;
"""
IN_ORDER_TRIGGER = ("AFTER INSERT ON history REFERENCING NEW TABLE AS added FOR EACH STATEMENT"
                    " EXECUTE FUNCTION public.gkplan_history_in_order()")  # fmt: skip


def reports_only(reporting: dict[str, tuple[str, ...]]) -> str:
    """gkplan_reports_only(entity, changes): a department's entry changes its reporting fields (pg_schema.REPORTING,
    by table) and may ask for an extension (`request`: an object) or withdraw its request ([the object, null]); the
    office's answer, and its undoing, name the request's number, which a department's entry never does."""
    fields = {e: [f for f in reporting[t] if f not in ("updated_at", "changed")] + ["request"]
              for e, t in (("point", "points"), ("task", "tasks"), ("target", "targets"))}  # fmt: skip
    cases = " ".join(f"WHEN '{e}' THEN ARRAY[{', '.join(repr(f) for f in fs)}]" for e, fs in fields.items())
    return ("CREATE OR REPLACE FUNCTION public.gkplan_reports_only(p_entity text, p_changes text) RETURNS boolean"
            " LANGUAGE sql IMMUTABLE AS $$ SELECT NOT EXISTS (SELECT 1 FROM jsonb_object_keys(p_changes::jsonb) k"
            f" WHERE k <> ALL (CASE p_entity {cases} ELSE ARRAY[]::text[] END))"
            " AND coalesce(jsonb_typeof(p_changes::jsonb -> 'request' -> 1), 'null') IN ('object', 'null')"
            " AND coalesce(jsonb_typeof(p_changes::jsonb -> 'request' -> 0), 'null') IN ('object', 'null') $$;\n")


# A department's entry changes none of what the office decides of a point (reports_only): so the state after any
# entry it writes, or replays on a backfill, holds the due date, 协办, checkpoints, tasks-follow and original due
# date that the entry's changes give, else the state before it (states.base_state: the seed's, before any).
POINT_STATE = r"""
CREATE OR REPLACE FUNCTION public.gkplan_point_state() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ch jsonb; was record;
BEGIN
    IF pg_catalog.pg_has_role(current_user, 'gkplan_office', 'USAGE') OR cardinality(public.gkplan_my_departments()) = 0 THEN
        RETURN NEW;  -- the office and the owner are not held to a department's limits
    END IF;
    SELECT h.changes::jsonb INTO ch FROM public.history h WHERE h.id = NEW.hid;
    SELECT s.due, s.co, s.checkpoints, s.follows, s.due_original INTO was FROM public.point_states s
        WHERE s.plan = NEW.plan AND s.point = NEW.point AND (s.effective, s.hid) < (NEW.effective, NEW.hid)
        ORDER BY s.effective DESC, s.hid DESC LIMIT 1;
    IF NOT FOUND THEN
        SELECT p.due_base AS due, p.co_base AS co, p.checkpoints_base AS checkpoints, 0::bigint AS follows,
               NULL::text AS due_original INTO was FROM public.points p WHERE p.plan = NEW.plan AND p.id = NEW.point;
    END IF;
    IF (NEW.due, NEW.co, NEW.checkpoints, NEW.follows::text, NEW.due_original) IS DISTINCT FROM (
        CASE WHEN ch ? 'due' THEN ch -> 'due' ->> 1 ELSE was.due END,
        CASE WHEN ch ? 'co' THEN ch -> 'co' ->> 1 ELSE was.co END,
        CASE WHEN ch ? 'checkpoints' THEN ch -> 'checkpoints' ->> 1 ELSE was.checkpoints END,
        CASE WHEN ch ? 'follows' THEN ch -> 'follows' ->> 1 ELSE was.follows::text END,
        CASE WHEN ch ? 'due_original' THEN ch -> 'due_original' ->> 1 ELSE was.due_original END) THEN
        RAISE EXCEPTION '第 % 项的状态与历史记录 #% 不符：截止日期、协办部门、节点由督查办的记录决定', NEW.point, NEW.hid
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
"""
POINT_STATE_TRIGGER = "BEFORE INSERT ON point_states FOR EACH ROW EXECUTE FUNCTION public.gkplan_point_state()"


# The same of a task's state: present, due date, weight, 协办 and original due date; an entry of the office that adds
# a task (`task`: its fields) or removes it (null) is replayed as states.apply applies it. Numbers compare as numbers.
TASK_STATE = r"""
CREATE OR REPLACE FUNCTION public.gkplan_task_state() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ch jsonb; added jsonb; was record; want text[]; f text; i int := 0;
BEGIN
    IF pg_catalog.pg_has_role(current_user, 'gkplan_office', 'USAGE') OR cardinality(public.gkplan_my_departments()) = 0 THEN
        RETURN NEW;
    END IF;
    SELECT h.changes::jsonb INTO ch FROM public.history h WHERE h.id = NEW.hid;
    SELECT s.present::text AS present, s.due, s.weight::text AS weight, s.co, s.due_original INTO was FROM public.task_states s
        WHERE s.plan = NEW.plan AND s.point = NEW.point AND s.seq = NEW.seq AND (s.effective, s.hid) < (NEW.effective, NEW.hid)
        ORDER BY s.effective DESC, s.hid DESC LIMIT 1;
    IF NOT FOUND THEN
        SELECT t.timeless::text AS present, t.due_base AS due, '1' AS weight, t.co_base AS co, NULL::text AS due_original
            INTO was FROM public.tasks t WHERE t.plan = NEW.plan AND t.point = NEW.point AND t.seq = NEW.seq;
    END IF;
    want := ARRAY[was.present, was.due, was.weight, was.co, was.due_original];
    added := ch -> 'task' -> 1;
    FOREACH f IN ARRAY ARRAY['present', 'due', 'weight', 'co', 'due_original'] LOOP
        i := i + 1;
        IF ch ? 'task' THEN
            IF f = 'present' THEN
                want[i] := CASE WHEN added IS NULL OR jsonb_typeof(added) = 'null' THEN '0' ELSE '1' END;
            END IF;
            IF jsonb_typeof(added) = 'object' AND added ? f THEN
                want[i] := added ->> f;
            END IF;
        ELSIF ch ? f THEN
            want[i] := ch -> f ->> 1;
        END IF;
    END LOOP;
    IF NEW.present::numeric IS DISTINCT FROM want[1]::numeric OR NEW.weight::numeric IS DISTINCT FROM want[3]::numeric
       OR (NEW.due, NEW.co, NEW.due_original) IS DISTINCT FROM (want[2], want[4], want[5]) THEN
        RAISE EXCEPTION '任务 %.% 的状态与历史记录 #% 不符：任务的增删、截止日期、权重、协办部门由督查办的记录决定',
            NEW.point, NEW.seq, NEW.hid USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
"""
TASK_STATE_TRIGGER = "BEFORE INSERT ON task_states FOR EACH ROW EXECUTE FUNCTION public.gkplan_task_state()"
