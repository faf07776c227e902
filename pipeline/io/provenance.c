/*
 * provenance.c — provenance entries and appending them to records.
 */
#include "io/provenance.h"

json_t *provenance_entry(const char *stage, const char *model, const char *template_hash,
			 json_t *params)
{
	json_t *e = json_object();

	json_object_set_new(e, "stage", json_string(stage));
	json_object_set_new(e, "version", json_string(SMELT_VERSION));
	if (model)
		json_object_set_new(e, "model", json_string(model));
	if (template_hash)
		json_object_set_new(e, "template_hash", json_string(template_hash));
	json_object_set_new(e, "params", params ? params : json_object());
	return e;
}

int provenance_append(json_t *rec, json_t *entry)
{
	json_t *list = json_object_get(rec, "provenance");

	if (!list) {
		list = json_array();
		json_object_set_new(rec, "provenance", list);
	}
	if (!json_is_array(list))
		return -1;
	return json_array_append(list, entry) ? -1 : 0;
}
