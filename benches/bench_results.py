"""What the table scripts of benches/compare_http.sh, compare_tls.sh and compare_arq.sh share: their
results file (one `row<TAB>target<TAB>key<TAB>value` line per measured value and repetition), its
medians, and number formatting. Imported from the scripts' inline Python (run from the repository's
root, with benches/ on sys.path)."""
import statistics


class Results:
    def __init__(self, path):
        self.res = {}
        for line in open(path):
            row, target, key, value = line.rstrip("\n").split("\t")
            self.res.setdefault((row, target, key), []).append(value)

    def values(self, row, target, key):
        """Every value recorded for (row, target, key), as written."""
        return self.res.get((row, target, key), [])

    def med(self, row, target, key):
        """The median of the numeric values, None when there is none."""
        vals = [float(v) for v in self.values(row, target, key) if v not in ("", "-")]
        return statistics.median(vals) if vals else None


def fmt(v, nd=0):
    return "-" if v is None else f"{v:,.{nd}f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def ratio_text(a, b):
    r = ratio(a, b)
    return "-" if r is None else f"{r:.2f}"
