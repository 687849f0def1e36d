/* replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over every file of
 * its corpus directory, so normal gcc builds exercise the targets (SQLite's
 * fuzzcheck idea). Under -Dfuzz=true the same targets link with libFuzzer.
 * usage: replay CORPUS_DIR
 * SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    DIR *d;
    struct dirent *e;
    char path[4096];
    int n = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    d = opendir(argv[1]);
    CHECK(d != NULL, "corpus directory '%s' opens", argv[1]);
    if (!d)
        return check_report();
    while ((e = readdir(d)) != NULL) {
        size_t len;
        char *buf;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
        buf = check_read_file(path, &len);
        if (!buf)
            continue;
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);  /* a crash fails the test */
        free(buf);
        n++;
    }
    closedir(d);
    CHECK(n > 0, "corpus '%s' has inputs", argv[1]);
    return check_report();
}
