/*
 * sim_metrics.c — counters under one mutex; the JSON view is built from a
 * consistent snapshot taken under the same lock.
 */
#include "sim/sim_metrics.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

void sim_metrics_init(struct sim_metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	m->started = now_seconds();
}

void sim_metrics_release(struct sim_metrics *m)
{
	sim_table_release(&m->answered);
	pthread_mutex_destroy(&m->lock);
}

void sim_metrics_reset(struct sim_metrics *m)
{
	pthread_mutex_lock(&m->lock);
	m->requests = m->generations = m->prompt_tokens = m->completion_tokens = 0;
	m->answered_repeat = 0;
	memset(m->by_route, 0, sizeof(m->by_route));
	memset(m->by_status, 0, sizeof(m->by_status));
	memset(m->faults, 0, sizeof(m->faults));
	sim_table_clear(&m->answered);
	m->connections_peak = m->connections;
	pthread_mutex_unlock(&m->lock);
}

void sim_metrics_request(struct sim_metrics *m, enum sim_route route)
{
	if (route == SIM_ROUTE_METRICS || route == SIM_ROUTE_METRICS_RESET)
		return;
	pthread_mutex_lock(&m->lock);
	m->requests++;
	m->by_route[route]++;
	pthread_mutex_unlock(&m->lock);
}

void sim_metrics_fault(struct sim_metrics *m, enum sim_fault_kind kind)
{
	if (kind >= SIM_FAULT_KINDS)
		return;
	pthread_mutex_lock(&m->lock);
	m->faults[kind]++;
	pthread_mutex_unlock(&m->lock);
}

void sim_metrics_answered(struct sim_metrics *m, const struct sim_answer *a)
{
	if (a->route == SIM_ROUTE_METRICS || a->route == SIM_ROUTE_METRICS_RESET)
		return;
	pthread_mutex_lock(&m->lock);
	if (a->send != SIM_SEND_NOTHING && a->status >= 100 && a->status < 600)
		m->by_status[a->status]++;
	m->prompt_tokens += (uint64_t)a->prompt_tokens;
	m->completion_tokens += (uint64_t)a->completion_tokens;
	if (a->completion) {
		m->generations += (uint64_t)a->generations;
		if (sim_table_bump(&m->answered, a->key, 1))
			m->answered_repeat++;
	}
	pthread_mutex_unlock(&m->lock);
}

void sim_metrics_connection(struct sim_metrics *m, int delta)
{
	pthread_mutex_lock(&m->lock);
	m->connections += delta;
	if (m->connections > m->connections_peak)
		m->connections_peak = m->connections;
	pthread_mutex_unlock(&m->lock);
}

json_t *sim_metrics_json(struct sim_metrics *m)
{
	json_t *o = json_object(), *routes = json_object(), *status = json_object();
	json_t *faults = json_object();
	char code[16];

	pthread_mutex_lock(&m->lock);
	for (int r = 0; r < SIM_ROUTE_COUNT; r++)
		if (r != SIM_ROUTE_METRICS && r != SIM_ROUTE_METRICS_RESET)
			json_object_set_new(routes, sim_route_name(r), json_integer((json_int_t)m->by_route[r]));
	for (unsigned s = 0; s < 600; s++) {
		if (!m->by_status[s])
			continue;
		snprintf(code, sizeof(code), "%u", s);
		json_object_set_new(status, code, json_integer((json_int_t)m->by_status[s]));
	}
	for (int k = 0; k < SIM_FAULT_KINDS; k++)
		json_object_set_new(faults, sim_fault_name(k), json_integer((json_int_t)m->faults[k]));
	json_object_set_new(o, "requests_total", json_integer((json_int_t)m->requests));
	json_object_set_new(o, "generations_total", json_integer((json_int_t)m->generations));
	json_object_set_new(o, "answered_repeat_total", json_integer((json_int_t)m->answered_repeat));
	json_object_set_new(o, "prompt_tokens_total", json_integer((json_int_t)m->prompt_tokens));
	json_object_set_new(o, "completion_tokens_total", json_integer((json_int_t)m->completion_tokens));
	json_object_set_new(o, "by_route", routes);
	json_object_set_new(o, "by_status", status);
	json_object_set_new(o, "faults_by_kind", faults);
	json_object_set_new(o, "connections_open", json_integer(m->connections));
	json_object_set_new(o, "connections_peak", json_integer(m->connections_peak));
	json_object_set_new(o, "uptime_seconds", json_real(now_seconds() - m->started));
	pthread_mutex_unlock(&m->lock);
	return o;
}
