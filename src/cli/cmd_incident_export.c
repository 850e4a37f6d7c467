/*
 * cmd_incident_export.c - `weerbaar incident export ID --format pdf`: hands the
 * incident the register loaded to the report module and writes the PDF to
 * --out or standard output. cmd_incident.c parses the options.
 */
#include "cli/cli.h"
#include "weerbaar/register.h"
#include "weerbaar/report.h"

typedef struct incident_page {
    const wb_reg_incident *ri;
    bool utc;
} incident_page;

static int render_incident(void *ud, const char *path, wb_error *err)
{
    const incident_page *p = ud;
    return wb_incident_render(p->ri, path, WB_PAGE_PDF, p->utc, err);
}

int wb_cli_incident_pdf(const struct wb_reg_incident *ri, const char *out, bool utc)
{
    incident_page p = {ri, utc};
    int status = wb_cli_write_rendered("incident export", out, render_incident, &p);
    wb_report_cleanup();
    return status;
}
