// A report's public page: status, description, districts with their answers, photos and timeline;
// others than the reporter can flag it. The reporter's page follows status changes live (live/me.js).
import { pageConfig } from "../config.js";
import { onMine } from "../live/me.js";
import { request } from "../api/request.js";
import { createMap } from "../map/index.js";
import { clear, h } from "../ui/dom.js";
import { flagControl } from "../ui/flag.js";
import { statusBadge, timelineItems, reportFacts, reportPhotos, showReportOnMap } from "../ui/reports.js";
import { loc } from "../i18n/index.js";

const { reportId } = pageConfig();
const $ = (id) => document.getElementById(id);

function render(report) {
  const p = report.properties;
  $("report-title").textContent = `${loc({ name_ko: p.category_name_ko, name_en: p.category_name_en }, "name")} #${report.id}`;
  clear($("report-status"), statusBadge(p.status), p.overdue ? " " : null);
  $("report-description").textContent = p.description;
  clear($("report-facts"), reportFacts(p));
  clear($("report-photos"), reportPhotos(p));
  clear($("timeline"), timelineItems(p.timeline));
  // City projects that resolve this report link back here.
  clear($("report-projects"), ...(p.projects || []).map((project) =>
    h("li", {}, h("a", { href: project.url }, `${loc(project, "title")} · ${project.progress}%`))));
  document.body.dataset.reportStatus = p.status;
}

async function main() {
  const mapReady = createMap($("map"), { hash: false, dongs: true });
  let report;
  try {
    report = await request(`/api/reports/${reportId}/`);
  } catch (error) {
    $("report-description").textContent = error.message;
    return;
  }
  const p = report.properties;
  render(report);
  // The reporter sees status changes and the officers' public messages as they are made.
  onMine(async (message) => {
    if (message.type !== "report.updated" || message.id !== report.id) return;
    try { render(await request(`/api/reports/${reportId}/`)); } catch { /* the next change tries again */ }
  });
  // Anyone but the reporter may flag a report (anonymous visitors get a sign-in link).
  if (!p.mine) clear($("report-flag"), flagControl({ targetType: "report", targetId: report.id }));
  showReportOnMap(await mapReady, report);
  document.body.dataset.mapReady = "true";
}

main();
