/* The plain C loops the benchmarks call the hardware floor: the same recursions as
 * periodize's compiled kernels, one core, no pruning tricks beyond PELT's own.
 * Built at benchmark time by benchmarks/floor.py (gcc -O3); nothing here ships. */
#include <math.h>
#include <stdlib.h>

/* Exact optimum with 2 breaks of each series (rows of y, n periods), residual sum of
 * squares cost, every segment at least min_size long; writes the two break indices. */
void dp2_l2(const double *y, long rows, long n, long min_size, long *breaks) {
    double *s1 = malloc((n + 1) * sizeof(double)), *s2 = malloc((n + 1) * sizeof(double));
    double *one = malloc((n + 1) * sizeof(double));
    long *arg = malloc((n + 1) * sizeof(long));
    for (long i = 0; i < rows; i++) {
        const double *row = y + i * n;
        s1[0] = s2[0] = 0.0;
        for (long t = 0; t < n; t++) {
            s1[t + 1] = s1[t] + row[t];
            s2[t + 1] = s2[t] + row[t] * row[t];
        }
        for (long e = 0; e <= n; e++) one[e] = INFINITY;
        /* one[e]: best cost of y[0:e] with one break */
        for (long e = 2 * min_size; e <= n; e++) {
            double best = INFINITY;
            long where = 0;
            for (long s = min_size; s <= e - min_size; s++) {
                double a = s2[s] - s1[s] * s1[s] / s;
                double m = e - s, b = s2[e] - s2[s] - (s1[e] - s1[s]) * (s1[e] - s1[s]) / m;
                if (a + b < best) { best = a + b; where = s; }
            }
            one[e] = best;
            arg[e] = where;
        }
        double best = INFINITY;
        long where = 0;
        for (long s = 2 * min_size; s <= n - min_size; s++) {
            double m = n - s, c = s2[n] - s2[s] - (s1[n] - s1[s]) * (s1[n] - s1[s]) / m;
            if (one[s] + c < best) { best = one[s] + c; where = s; }
        }
        breaks[2 * i] = arg[where];
        breaks[2 * i + 1] = where;
    }
    free(s1); free(s2); free(one); free(arg);
}

static double cost_l2(const double *s1, const double *s2, long s, long e) {
    double m = e - s, d = s1[e] - s1[s];
    return s2[e] - s2[s] - d * d / m;
}

static double cost_poisson(const double *s1, const double *s2, long s, long e) {
    (void)s2;
    double total = s1[e] - s1[s];
    return total > 0.0 ? -2.0 * (total * log(total / (e - s)) - total) : 0.0;
}

/* PELT with min_size 1 (Killick et al. 2012); last[e] is the last break before e. */
static double pelt(const double *y, long n, double penalty, long *last, int poisson) {
    double *s1 = malloc((n + 1) * sizeof(double)), *s2 = malloc((n + 1) * sizeof(double));
    double *best = malloc((n + 1) * sizeof(double)), *fit = malloc((n + 1) * sizeof(double));
    long *cand = malloc((n + 1) * sizeof(long));
    s1[0] = s2[0] = 0.0;
    for (long t = 0; t < n; t++) {
        s1[t + 1] = s1[t] + y[t];
        s2[t + 1] = s2[t] + y[t] * y[t];
    }
    best[0] = -penalty;
    long size = 0;
    for (long e = 1; e <= n; e++) {
        cand[size++] = e - 1;
        double value = INFINITY;
        long where = 0;
        for (long c = 0; c < size; c++) {
            long s = cand[c];
            double f = best[s] + (poisson ? cost_poisson(s1, s2, s, e) : cost_l2(s1, s2, s, e));
            fit[c] = f;
            if (f < value) { value = f; where = s; }
        }
        best[e] = value + penalty;
        last[e] = where;
        long kept = 0;
        for (long c = 0; c < size; c++)
            if (fit[c] <= best[e]) cand[kept++] = cand[c];
        size = kept;
    }
    double optimum = best[n];
    free(s1); free(s2); free(best); free(fit); free(cand);
    return optimum;
}

double pelt_l2(const double *y, long n, double penalty, long *last) {
    return pelt(y, n, penalty, last, 0);
}

double pelt_poisson(const double *y, long n, double penalty, long *last) {
    return pelt(y, n, penalty, last, 1);
}
