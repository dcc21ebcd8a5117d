// Writes lieux/schema/lieux-de-mediation-numerique.schema.json from the npm package
// @gouvfr-anct/lieux-de-mediation-numerique (ANCT, MIT), which models and validates the national
// « schéma de données des lieux de médiation numérique » but ships no JSON Schema: the fields
// and their types come from its transfer type SchemaLieuMediationNumerique
// (lib/esm/transfer/schema-lieux-de-mediation-numerique/*.d.ts), the allowed values from its enums.
// Multi-valued fields are strings of values separated by "|", as the package writes them.
//
//   npm pack @gouvfr-anct/lieux-de-mediation-numerique@2.3.0 && tar xzf gouvfr-anct-*.tgz
//   node lieux/schema/build_schema.cjs package > lieux/schema/lieux-de-mediation-numerique.schema.json
"use strict";
const path = require("path");
const pkgDir = path.resolve(process.argv[2] || "package");
const m = require(path.join(pkgDir, "lib/cjs/index.js"));
const version = require(path.join(pkgDir, "package.json")).version;

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function list(values) {
  const one = "(" + Object.values(values).map(escape).join("|") + ")";
  return { type: "string", pattern: "^" + one + "(\\|" + one + ")*$" };
}
const text = { type: "string", minLength: 1 };

const schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "Lieu de médiation numérique",
  description:
    "Un lieu du schéma de données des lieux de médiation numérique (ANCT), dérivé de " +
    "@gouvfr-anct/lieux-de-mediation-numerique " + version + ".",
  type: "object",
  additionalProperties: false,
  required: ["id", "nom", "pivot", "commune", "code_postal", "adresse", "date_maj"],
  properties: {
    id: text,
    nom: text,
    pivot: { type: "string", pattern: "^(\\d{14}|W\\d{9}|0{14})$" },
    services: list(m.Service),
    typologie: list(m.Typologie),
    structure_parente: text,
    commune: text,
    code_postal: { type: "string", pattern: "^\\d{5}$" },
    code_insee: { type: "string", pattern: "^(\\d{5}|2[AB]\\d{3})$" },
    adresse: text,
    complement_adresse: text,
    latitude: { type: "number", minimum: -90, maximum: 90 },
    longitude: { type: "number", minimum: -180, maximum: 180 },
    telephone: { type: "string", pattern: "^\\+?\\d{6,15}$" },
    courriels: { type: "string", pattern: "^[^@|\\s]+@[^@|\\s]+(\\|[^@|\\s]+@[^@|\\s]+)*$" },
    site_web: { type: "string", pattern: "^https?://\\S+$" },
    presentation_resume: text,
    presentation_detail: text,
    publics_specifiquement_adresses: list(m.PublicSpecifiquementAdresse),
    prise_en_charge_specifique: list(m.PriseEnChargeSpecifique),
    frais_a_charge: list(m.Frais),
    itinerance: list(m.Itinerance),
    modalites_acces: list(m.ModaliteAcces),
    modalites_accompagnement: list(m.ModaliteAccompagnement),
    fiche_acces_libre: { type: "string", pattern: "^https?://\\S+$" },
    dispositif_programmes_nationaux: list(m.DispositifProgrammeNational),
    formations_labels: list(m.FormationLabel),
    autres_formations_labels: text,
    horaires: text,
    prise_rdv: { type: "string", pattern: "^https?://\\S+$" },
    date_maj: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    source: text,
  },
};
process.stdout.write(JSON.stringify(schema, null, 2) + "\n");
