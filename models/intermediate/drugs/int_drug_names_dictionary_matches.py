"""The open drug dictionary's reading of every distinct cleaned drug-name key (faers.drug_dictionary).

One row per key (cleaned DRUGNAME, or the cleaned text in its parentheses) that the dictionary
recognises: name_key, dictionary_names (the dictionary records matched), ingredient_text (their
ingredients, '\\'-joined, in the spelling faers.drug_dictionary.choose_spelling picks). Keys with a prod_ai
are read too, so int_drug_names_dictionary can measure the dictionary against prod_ai. A table (every model of
models/intermediate is one, dbt_project.yml).
"""

import pyarrow as pa

from faers.drug_dictionary import resolve_names


def model(dbt, session):
    keys_relation = dbt.ref("int_drug_name_keys")
    lookups_relation = dbt.ref("int_drug_name_lookups")
    keys = [
        row[0]
        for row in keys_relation.query(
            "name_keys",
            "select name_key from name_keys union select paren_key from name_keys",
        ).fetchall()
    ]
    vocabulary = [
        row[0]
        for row in keys_relation.query(
            "name_keys",
            "select distinct unnest(string_split(prod_ai_ingredient, '\\')) from name_keys",
        ).fetchall()
    ]
    vocabulary += [
        row[0]
        for row in lookups_relation.query(
            "lookups",
            "select distinct unnest(string_split(value, '\\')) "
            "from (select unnest(map_values(synonyms)) as value from lookups)",
        ).fetchall()
    ]
    matches = resolve_names(keys, vocabulary)
    return pa.table(
        {
            "name_key": pa.array([m.name_key for m in matches], pa.string()),
            "dictionary_names": pa.array([m.dictionary_names for m in matches], pa.string()),
            "ingredient_text": pa.array([m.ingredient_text for m in matches], pa.string()),
        }
    )
