/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/progress_bar.h"
#include "util/progress.h"
#include "util/banned.h"

#define TICK_MS 100
#define DEFAULT_AFTER_MS 1000

static struct {
	pthread_mutex_t lock;
	pthread_t thread;
	bool running, stop;
	unsigned after_ms;
	unsigned phase;        /* the phase being watched */
	struct timespec began; /* when it began */
	bool shown;            /* a frame of it is on the screen */
	bool finished;         /* its last frame was drawn */
} bar = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void size_text(double v, char *out, size_t cap)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%.0f %s", v, units[u]);
	else
		snprintf(out, cap, "%.1f %s", v, units[u]);
}

static void clock_text(double s, char *out, size_t cap)
{
	unsigned long t = s < 0 ? 0 : (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, cap, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, cap, "%lu:%02lu", t / 60, t % 60);
}

void progress_bar_frame(char *out, unsigned long cap, const char *label, unsigned long long done,
			unsigned long long total, double seconds, bool ended, unsigned cols)
{
	char got[32], rate[40], tail[48], bars[64];
	double r = seconds > 0 ? (double)done / seconds : 0;
	unsigned width = cols >= 100 ? 30 : cols >= 80 ? 20 : cols >= 60 ? 10 : 0, fill, i;

	size_text((double)done, got, sizeof(got));
	if (r > 0) {
		char v[32];

		size_text(r, v, sizeof(v));
		snprintf(rate, sizeof(rate), "%s/s", v);
	} else {
		snprintf(rate, sizeof(rate), "-- B/s");
	}
	if (ended) {
		char t[24];

		clock_text(seconds, t, sizeof(t));
		if (!total || done >= total)
			snprintf(tail, sizeof(tail), "done in %s", t);
		else
			snprintf(tail, sizeof(tail), "stopped after %s", t);
	} else if (total && r > 0) {
		char t[24];

		clock_text((double)(total > done ? total - done : 0) / r, t, sizeof(t));
		snprintf(tail, sizeof(tail), "%s left", t);
	} else {
		snprintf(tail, sizeof(tail), "--:-- left");
	}
	if (!total) {
		snprintf(out, cap, "%-10s %10s  %12s  %s", label, got, rate, tail);
		return;
	}
	fill = (unsigned)(done >= total ? width : (double)width * (double)done / (double)total);
	for (i = 0; i < width; i++)
		bars[i] = i < fill ? '#' : '.';
	bars[width] = 0;
	if (width)
		snprintf(out, cap, "%-10s [%s] %3u%%  %10s  %12s  %s", label, bars,
			 (unsigned)(done >= total ? 100 : 100.0 * (double)done / (double)total), got, rate, tail);
	else
		snprintf(out, cap, "%-10s %3u%%  %s  %s  %s", label,
			 (unsigned)(done >= total ? 100 : 100.0 * (double)done / (double)total), got, rate, tail);
}

static unsigned columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	return 80;
}

/* Under bar.lock. */
static void draw(const struct progress_state *st, bool ended)
{
	char frame[256], line[300];
	int n;

	progress_bar_frame(frame, sizeof(frame), st->label ? st->label : "", st->done, st->total,
			   since(&bar.began), ended, columns());
	n = snprintf(line, sizeof(line), "\r%s\033[K%s", frame, ended ? "\n" : "");
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

/* A phase ended and another began (util/progress.h's hook). */
static void on_phase(const struct progress_state *ended, const struct progress_state *begun)
{
	pthread_mutex_lock(&bar.lock);
	if (bar.shown && !bar.finished && ended->label && ended->phase == bar.phase) {
		draw(ended, true);
		bar.finished = true;
	}
	if (begun) {
		bar.phase = begun->phase;
		clock_gettime(CLOCK_MONOTONIC, &bar.began);
		bar.finished = false;
		bar.shown = bar.after_ms == 0;
		if (bar.shown)
			draw(begun, false);
	}
	pthread_mutex_unlock(&bar.lock);
}

static void *run(void *arg)
{
	struct progress_state st;

	(void)arg;
	for (;;) {
		usleep(TICK_MS * 1000);
		pthread_mutex_lock(&bar.lock);
		if (bar.stop) {
			pthread_mutex_unlock(&bar.lock);
			return NULL;
		}
		progress_get(&st);
		if (st.label && st.phase == bar.phase && !bar.finished) {
			if (!bar.shown && since(&bar.began) * 1000 >= bar.after_ms)
				bar.shown = true;
			if (bar.shown)
				draw(&st, false);
		}
		pthread_mutex_unlock(&bar.lock);
	}
}

void progress_bar_start(bool json)
{
	const char *after = getenv("GSOMIA_PROGRESS_AFTER");
	struct progress_state st;
	char *end;

	if (json || bar.running || !isatty(STDERR_FILENO))
		return;
	bar.after_ms = DEFAULT_AFTER_MS;
	if (after && *after) {
		unsigned long v;

		errno = 0;
		v = strtoul(after, &end, 10);
		if (!errno && !*end && v <= 3600000)
			bar.after_ms = (unsigned)v;
	}
	progress_get(&st);
	bar.phase = st.phase;
	bar.shown = false;
	bar.finished = false;
	bar.stop = false;
	clock_gettime(CLOCK_MONOTONIC, &bar.began);
	if (pthread_create(&bar.thread, NULL, run, NULL) != 0)
		return;
	bar.running = true;
	progress_set_hook(on_phase);
}

void progress_bar_stop(void)
{
	struct progress_state st;

	if (!bar.running)
		return;
	progress_set_hook(NULL);
	pthread_mutex_lock(&bar.lock);
	progress_get(&st);
	if (bar.shown && !bar.finished && st.label && st.phase == bar.phase)
		draw(&st, true);
	bar.shown = false;
	bar.stop = true;
	pthread_mutex_unlock(&bar.lock);
	pthread_join(bar.thread, NULL);
	bar.running = false;
}
