/* tb_case_lifecycle.h: the states of a case and which status changes are valid.
 *
 * Pure C, no library: the table the case store, the merge and the feedback command
 * all check against. Status names are part of the platform interface and spelled
 * exactly: detected reported dispatched handling rectified verified false_alarm
 * permitted reopened.
 *
 *   detected   -> reported | false_alarm | permitted
 *   reported   -> dispatched | false_alarm | permitted
 *   dispatched -> handling | false_alarm | permitted
 *   handling   -> rectified | false_alarm | permitted
 *   rectified  -> verified | reopened
 *   verified   -> reopened
 *   false_alarm-> reopened
 *   permitted  -> reopened
 *   reopened   -> reported | dispatched | handling | false_alarm | permitted
 */
#ifndef TB_CASE_LIFECYCLE_H
#define TB_CASE_LIFECYCLE_H

typedef enum tb_case_status {
    TB_CASE_DETECTED = 0,
    TB_CASE_REPORTED,
    TB_CASE_DISPATCHED,
    TB_CASE_HANDLING,
    TB_CASE_RECTIFIED,
    TB_CASE_VERIFIED,
    TB_CASE_FALSE_ALARM,
    TB_CASE_PERMITTED,
    TB_CASE_REOPENED,
    TB_CASE_NSTATUS
} tb_case_status;

/* The status's name ("detected", ...), or "?" for a value out of range. */
const char *tb_case_status_name(tb_case_status s);

/* Parses an exact status name. Returns 0 and sets *out, or -1 for an unknown name. */
int tb_case_status_parse(const char *name, tb_case_status *out);

/* 1 when `from -> to` is a valid transition, else 0 (a status never moves to itself). */
int tb_case_transition_valid(tb_case_status from, tb_case_status to);

/* 1 for a case a new detection updates: every status except verified, false_alarm
 * and permitted (rectified counts as open: a detection over it reopens it). */
int tb_case_status_open(tb_case_status s);

/* 1 when `text` is an ISO 8601 date or date-time tuban accepts: YYYY-MM-DD, optionally
 * followed by `T` (or a space) HH:MM[:SS[.fraction]] and an optional `Z` or +HH:MM /
 * -HH:MM offset; fields in range (month 1-12, day valid for the month, hour 0-23,
 * minute 0-59, second 0-60). */
int tb_iso8601_valid(const char *text);

#endif
