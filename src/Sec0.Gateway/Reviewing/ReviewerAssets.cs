namespace Sec0.Gateway.Reviewing;

/// <summary>
/// The page's stylesheet and script, served from the page's own path so its Content-Security-Policy can forbid every
/// inline script and style. The script only reads JSON and writes <c>textContent</c>: no markup is ever built from data.
/// </summary>
internal static class ReviewerAssets
{
    public const string StylesheetName = "reviewer.css";
    public const string ScriptName = "reviewer.js";

    public const string Stylesheet = """
        :root { color-scheme: light; --ink: #1c2430; --muted: #5b6675; --line: #d9dee5; --ok: #1f7a3d; --no: #b3261e; --wait: #8a5a00; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f7f9; }
        header { display: flex; align-items: center; justify-content: space-between; padding: 12px 24px; background: #1c2430; color: #fff; }
        header a { color: #fff; text-decoration: none; font-weight: 600; }
        header form { margin: 0; }
        header .who { margin-right: 12px; color: #cfd6df; }
        main { max-width: 980px; margin: 24px auto; padding: 0 24px; }
        h1 { font-size: 22px; margin: 0 0 16px; }
        h2 { font-size: 17px; margin: 24px 0 8px; }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: #eef1f4; font-weight: 600; }
        dl { display: grid; grid-template-columns: 180px 1fr; gap: 6px 16px; background: #fff; border: 1px solid var(--line); padding: 14px; margin: 0; }
        dt { color: var(--muted); }
        dd { margin: 0; overflow-wrap: anywhere; }
        pre { background: #fff; border: 1px solid var(--line); padding: 12px; overflow: auto; max-height: 420px; white-space: pre-wrap; overflow-wrap: anywhere; }
        .status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; background: #eef1f4; }
        .status[data-status="pending"] { color: var(--wait); background: #fff3d6; }
        .status[data-status="approved"] { color: var(--ok); background: #e1f3e7; }
        .status[data-status="rejected"], .status[data-status="expired"], .status[data-status="no_approvers_configured"] { color: var(--no); background: #fbe4e2; }
        .notice { padding: 10px 14px; border-radius: 6px; background: #e8f0fe; border: 1px solid #c6d6f5; margin-bottom: 16px; }
        .notice.bad { background: #fbe4e2; border-color: #f0c1bd; }
        form.vote { background: #fff; border: 1px solid var(--line); padding: 14px; display: grid; gap: 10px; max-width: 560px; }
        label { font-weight: 600; }
        select, textarea, input[type=password] { width: 100%; padding: 6px 8px; font: inherit; border: 1px solid var(--line); border-radius: 4px; }
        textarea { min-height: 70px; }
        button { font: inherit; padding: 7px 16px; border-radius: 4px; border: 1px solid var(--line); background: #fff; cursor: pointer; }
        button.approve { background: var(--ok); color: #fff; border-color: var(--ok); }
        button.reject { background: var(--no); color: #fff; border-color: var(--no); }
        button:disabled { opacity: .5; cursor: not-allowed; }
        .muted { color: var(--muted); }
        .actions { display: flex; gap: 10px; }
        """;

    public const string Script = """
        "use strict";
        (() => {
          const detail = document.querySelector("[data-status-url]");
          if (detail) {
            const url = detail.getAttribute("data-status-url");
            const badge = document.getElementById("status");
            const live = document.getElementById("live");
            const tick = async () => {
              try {
                const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
                if (!response.ok) { return true; }
                const s = await response.json();
                badge.textContent = s.status;
                badge.setAttribute("data-status", s.status);
                live.textContent = s.approvals + " approval(s), " + s.rejections + " rejection(s), " + s.votes + " vote(s)" + (s.resolution ? " \u2014 resolved by " + s.resolution : "");
                if (s.status !== "pending") {
                  document.querySelectorAll("form.vote button, form.vote select, form.vote textarea").forEach(e => { e.disabled = true; });
                  return false;
                }
              } catch (e) { /* the next tick tries again */ }
              return true;
            };
            const loop = async () => { if (await tick()) { setTimeout(loop, 2000); } };
            setTimeout(loop, 2000);
          }

          const list = document.querySelector("[data-pending-url]");
          if (list) {
            const url = list.getAttribute("data-pending-url");
            const shown = list.getAttribute("data-ids");
            const loop = async () => {
              try {
                const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
                if (response.ok) {
                  const ids = (await response.json()).pending.join(" ");
                  if (ids !== shown) { location.reload(); return; }
                }
              } catch (e) { /* the next tick tries again */ }
              setTimeout(loop, 3000);
            };
            setTimeout(loop, 3000);
          }
        })();
        """;
}
