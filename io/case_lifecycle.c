/* case_lifecycle.c: the status table of a case (see tb_case_lifecycle.h). */
#include "tb_case_lifecycle.h"

#include <ctype.h>
#include <string.h>

static const char *const names[TB_CASE_NSTATUS] = {
    "detected", "reported",  "dispatched", "handling", "rectified",
    "verified", "false_alarm", "permitted", "reopened",
};

/* valid[from] is a bit set of the statuses `from` may move to. */
#define B(s) (1u << (s))
static const unsigned valid[TB_CASE_NSTATUS] = {
    [TB_CASE_DETECTED] = B(TB_CASE_REPORTED) | B(TB_CASE_FALSE_ALARM) | B(TB_CASE_PERMITTED),
    [TB_CASE_REPORTED] = B(TB_CASE_DISPATCHED) | B(TB_CASE_FALSE_ALARM) | B(TB_CASE_PERMITTED),
    [TB_CASE_DISPATCHED] = B(TB_CASE_HANDLING) | B(TB_CASE_FALSE_ALARM) | B(TB_CASE_PERMITTED),
    [TB_CASE_HANDLING] = B(TB_CASE_RECTIFIED) | B(TB_CASE_FALSE_ALARM) | B(TB_CASE_PERMITTED),
    [TB_CASE_RECTIFIED] = B(TB_CASE_VERIFIED) | B(TB_CASE_REOPENED),
    [TB_CASE_VERIFIED] = B(TB_CASE_REOPENED),
    [TB_CASE_FALSE_ALARM] = B(TB_CASE_REOPENED),
    [TB_CASE_PERMITTED] = B(TB_CASE_REOPENED),
    [TB_CASE_REOPENED] = B(TB_CASE_REPORTED) | B(TB_CASE_DISPATCHED) | B(TB_CASE_HANDLING) |
                         B(TB_CASE_FALSE_ALARM) | B(TB_CASE_PERMITTED),
};

const char *tb_case_status_name(tb_case_status s)
{
    return (unsigned)s < TB_CASE_NSTATUS ? names[s] : "?";
}

int tb_case_status_parse(const char *name, tb_case_status *out)
{
    for (int i = 0; name && i < TB_CASE_NSTATUS; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (tb_case_status)i;
            return 0;
        }
    return -1;
}

int tb_case_transition_valid(tb_case_status from, tb_case_status to)
{
    if ((unsigned)from >= TB_CASE_NSTATUS || (unsigned)to >= TB_CASE_NSTATUS)
        return 0;
    return (valid[from] & B(to)) != 0;
}

int tb_case_status_open(tb_case_status s)
{
    return (unsigned)s < TB_CASE_NSTATUS && s != TB_CASE_VERIFIED && s != TB_CASE_FALSE_ALARM &&
           s != TB_CASE_PERMITTED;
}

/* Reads exactly n digits at *p into *v and advances; 0 on failure. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return 0;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return 1;
}

int tb_iso8601_valid(const char *text)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = text;
    int y, mo, d, h, mi, s;
    if (!p || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return 0;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    if (*p == '\0')
        return 1;
    if (*p != 'T' && *p != ' ')
        return 0;
    p++;
    if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || h > 23 || mi > 59)
        return 0;
    if (*p == ':') {
        p++;
        if (!digits(&p, 2, &s) || s > 60)
            return 0;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return 0;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (*p == 'Z')
        return p[1] == '\0';
    if (*p == '+' || *p == '-') {
        p++;
        int oh, om;
        if (!digits(&p, 2, &oh) || oh > 14)
            return 0;
        if (*p == ':')
            p++;
        if (!digits(&p, 2, &om) || om > 59)
            return 0;
    }
    return *p == '\0';
}
