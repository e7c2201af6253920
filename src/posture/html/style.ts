/** The report's stylesheet: light, print-friendly, readable without the graph. */
export const PAGE_STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #24292f; background: #fff; }
body { margin: 0; }
header { padding: 16px 24px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
h1 { margin: 0; font-size: 22px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
.meta, .hint { color: #57606a; font-size: 13px; }
main { padding: 0 24px 40px; max-width: 1400px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: 12px 16px; min-width: 160px; font-size: 13px; }
.card .big { font-size: 34px; font-weight: 600; }
.card .label { color: #57606a; margin-bottom: 6px; }
.grade { display: inline-block; margin-right: 8px; padding: 2px 6px; border-radius: 4px; font-weight: 600; }
.g-A { background: #dafbe1; } .g-B { background: #e6f4d7; } .g-C { background: #fff8c5; } .g-D { background: #ffe7d1; } .g-F { background: #ffebe9; }
.controls { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
#filter { width: 280px; padding: 4px 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th[data-key] { cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
tr.workload { cursor: pointer; } tr.workload:hover, tr.workload.open { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; }
.s-a { color: #1a7f37; } .s-b { color: #4d8f2a; } .s-c { color: #9a6700; } .s-d { color: #bc4c00; } .s-f { color: #cf222e; }
.deductions { padding: 6px 0 10px 12px; }
.deduction { margin: 4px 0; }
.deduction .points { display: inline-block; width: 36px; font-weight: 600; color: #cf222e; }
.deduction .pillar { display: inline-block; width: 70px; color: #57606a; }
.deduction .rule { margin-right: 8px; }
.where, .fix { margin-left: 106px; color: #57606a; font-size: 12px; }
.fact { margin-left: 106px; color: #57606a; font-style: italic; }
.who { color: #57606a; margin-bottom: 6px; }
.sums { display: flex; gap: 18px; color: #57606a; font-size: 12px; margin-bottom: 6px; font-variant-numeric: tabular-nums; }
.sev-critical { color: #a40e26; font-weight: 600; } .sev-high { color: #cf222e; } .sev-medium { color: #9a6700; } .sev-low { color: #0969da; } .sev-info { color: #57606a; }
#graph { height: 560px; border: 1px solid #d0d7de; border-radius: 6px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
@media print { #graph { height: 420px; } .controls { display: none; } tr.detail[hidden] { display: table-row; } }
`;
