// What the server hands to the JS modules, through `{{ config|json_script:"gp-config" }}` in base.html.
const node = document.getElementById("gp-config");
export const config = node ? JSON.parse(node.textContent) : { lang: "ko", user: null, basemap: {}, page: {} };

/** A page's own data: `{{ value|json_script:"page-config" }}`, or `page_config` in the view's context. */
export function pageConfig(id = "page-config") {
  const own = document.getElementById(id);
  return own ? JSON.parse(own.textContent) : config.page || {};
}
