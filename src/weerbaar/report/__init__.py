"""Publishing verdicts: a self-contained HTML report, the same as PDF, an XLSX workbook, CSV and JSON."""
