ALTER TABLE "flags" ADD COLUMN "metadata" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
-- Variations become {id, name, value}: ids never change, so configs that refer to them keep
-- their meaning when variations are renamed, edited or reordered. Names follow core's
-- defaultVariationNames: on/off for booleans, a string value fit to be a name, else vN;
-- a repeated name gets "-N" (N = its 1-based position).
UPDATE "flags" AS f SET "variations" = (
  SELECT jsonb_agg(jsonb_build_object('id', n.id, 'name', n.name, 'value', n.value) ORDER BY n.ord)
  FROM (
    SELECT c.ord, c.value,
      substr(md5(f.key || ':' || c.ord::text || ':' || random()::text || clock_timestamp()::text), 1, 8) AS id,
      CASE WHEN row_number() OVER (PARTITION BY c.candidate ORDER BY c.ord) > 1 THEN c.candidate || '-' || c.ord::text ELSE c.candidate END AS name
    FROM (
      SELECT e.ord, e.value,
        CASE
          WHEN e.value = 'true'::jsonb THEN 'on'
          WHEN e.value = 'false'::jsonb THEN 'off'
          WHEN jsonb_typeof(e.value) = 'string' AND (e.value #>> '{}') ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' THEN e.value #>> '{}'
          ELSE 'v' || e.ord::text
        END AS candidate
      FROM jsonb_array_elements(f.variations) WITH ORDINALITY AS e(value, ord)
    ) AS c
  ) AS n
);--> statement-breakpoint
-- Configs refer to variations by id from here on: a serve's index, a rollout's weights (now
-- with the variation of each weight, in the same bucket order), a prerequisite's index into
-- the prerequisite flag's variations.
CREATE FUNCTION "sw_0010_id"(variations jsonb, idx jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(variations -> ((idx #>> '{}')::int) -> 'id', to_jsonb('#' || (idx #>> '{}')))
$$;--> statement-breakpoint
CREATE FUNCTION "sw_0010_serve"(variations jsonb, serve jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN serve ? 'variation' THEN jsonb_build_object('variation', "sw_0010_id"(variations, serve -> 'variation'))
    WHEN serve ? 'rollout' THEN jsonb_build_object('rollout', (serve -> 'rollout') || jsonb_build_object('variations', coalesce(
      (SELECT jsonb_agg("sw_0010_id"(variations, to_jsonb(w.ord - 1)) ORDER BY w.ord)
       FROM jsonb_array_elements(serve -> 'rollout' -> 'weights') WITH ORDINALITY AS w(weight, ord)), '[]'::jsonb)))
    ELSE serve
  END
$$;--> statement-breakpoint
CREATE FUNCTION "sw_0010_config"(flag_key text, config jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT config
    || jsonb_build_object('offVariation', "sw_0010_id"(v.variations, config -> 'offVariation'))
    || jsonb_build_object('fallthrough', "sw_0010_serve"(v.variations, config -> 'fallthrough'))
    || jsonb_build_object('rules', coalesce(
      (SELECT jsonb_agg(r.rule || jsonb_build_object('serve', "sw_0010_serve"(v.variations, r.rule -> 'serve')) ORDER BY r.ord)
       FROM jsonb_array_elements(coalesce(config -> 'rules', '[]'::jsonb)) WITH ORDINALITY AS r(rule, ord)), '[]'::jsonb))
    || jsonb_build_object('prerequisites', coalesce(
      (SELECT jsonb_agg(jsonb_build_object('flag', p.pre -> 'flag', 'variation',
         "sw_0010_id"((SELECT o.variations FROM "flags" AS o WHERE o.key = p.pre ->> 'flag'), p.pre -> 'variation')) ORDER BY p.ord)
       FROM jsonb_array_elements(coalesce(config -> 'prerequisites', '[]'::jsonb)) WITH ORDINALITY AS p(pre, ord)), '[]'::jsonb))
  FROM "flags" AS v WHERE v.key = flag_key
$$;--> statement-breakpoint
UPDATE "flag_configs" SET "config" = coalesce("sw_0010_config"("flag_key", "config"), "config");--> statement-breakpoint
UPDATE "flag_config_versions" SET "config" = coalesce("sw_0010_config"("flag_key", "config"), "config");--> statement-breakpoint
UPDATE "deploys" SET "snapshot" = coalesce(
  (SELECT jsonb_object_agg(e.key, e.value || jsonb_build_object('config', coalesce("sw_0010_config"(e.key, e.value -> 'config'), e.value -> 'config')))
   FROM jsonb_each("snapshot") AS e),
  '{}'::jsonb);--> statement-breakpoint
DROP FUNCTION "sw_0010_config"(text, jsonb);--> statement-breakpoint
DROP FUNCTION "sw_0010_serve"(jsonb, jsonb);--> statement-breakpoint
DROP FUNCTION "sw_0010_id"(jsonb, jsonb);
