/* cmd_bake.c - `mcred bake` and `mcred unbake`: put a credential into a PNG
 * or SVG badge image (Open Badges baking) and take it out again.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bake/bake.h"
#include "cli.h"
#include "cli_cmds.h"
#include "jsonld/jcs.h"
#include "util/json.h"

static const char bake_usage[] =
    "usage: mcred bake (--png IMG | --svg IMG) [--out FILE] [--force] CREDENTIAL\n"
    "\n"
    "Bake the credential in CREDENTIAL (a file, or - for standard input) into the badge\n"
    "image IMG and write the baked image. An Open Badges 3.0 credential (JSON with an\n"
    "embedded proof, or a VC-JWT) goes into a PNG iTXt chunk 'openbadgecredential' or an\n"
    "SVG <openbadges:credential> element; an Open Badges 2.0 assertion (JSON, a signed\n"
    "JWS or a hosted assertion's URL) is baked the OB 2.0 way ('openbadges',\n"
    "<openbadges:assertion>). A credential already baked into IMG is replaced.\n"
    "\n"
    "  --png IMG    the image is a PNG\n"
    "  --svg IMG    the image is an SVG\n"
    "  --out FILE   where to write (default: standard output unless it is a terminal);\n"
    "               written to a temporary file and renamed, never left half-written\n"
    "  --force      replace FILE when it exists\n"
    "\n"
    "Images are at most 16 MiB, credentials at most 8 MiB.\n"
    "exit codes: 0 baked; 1 the image or the credential was refused; 2 usage or I/O error\n";

static const char unbake_usage[] =
    "usage: mcred unbake [--out FILE] [--force] [--json] IMG\n"
    "\n"
    "Print the credential baked into the PNG or SVG image IMG (a file, or - for standard\n"
    "input): the JSON or the compact JWS exactly as baked. Reads Open Badges 3.0 images\n"
    "(openbadgecredential) and 2.0 / 1.x ones (openbadges), whose content may be the URL\n"
    "of a hosted assertion. Check it with `mcred verify`.\n"
    "\n"
    "  --out FILE   write the credential to FILE instead of standard output\n"
    "  --force      replace FILE when it exists\n"
    "  --json       print a description instead: image, version, form (json, jws, url),\n"
    "               hosted (an OB 2.0 hosted assertion), where, and the credential\n"
    "\n"
    "exit codes: 0 found; 1 the image was refused or carries no credential;\n"
    "            2 usage or I/O error\n";

/* Read path (or "-") with a cap: CLI_FAILED when it is larger (never read
 * past the cap), CLI_USAGE on an I/O error. *out is owned (mc_free). */
static int read_capped(const char *path, size_t max, const char *what, char **out, size_t *len)
{
    bool in = strcmp(path, "-") == 0;
    FILE *f = in ? stdin : fopen(path, "rb");
    struct mc_buf b;
    struct stat st;
    char chunk[65536];
    size_t n;
    mcred_rc rc = MCRED_OK;

    *out = NULL;
    *len = 0;
    if (!f) {
        cli_error("cannot open %s '%s': %s", what, path, strerror(errno));
        return CLI_USAGE;
    }
    if (!in && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
        cli_error("%s '%s' is %lld bytes, more than the limit of %zu", what, path,
                  (long long)st.st_size, max);
        fclose(f);
        return CLI_FAILED;
    }
    mc_buf_init(&b, max);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = mc_buf_append(&b, chunk, n);
        if (rc)
            break;
    }
    if (!rc && ferror(f))
        rc = MCRED_ERR_IO;
    if (!in)
        fclose(f);
    if (rc == MCRED_ERR_LIMIT)
        cli_error("%s '%s' is larger than the limit of %zu bytes", what, path, max);
    else if (rc)
        cli_error("cannot read %s '%s': %s", what, path,
                  rc == MCRED_ERR_IO ? strerror(errno) : mcred_strerror(rc));
    if (rc) {
        mc_buf_release(&b);
        return rc == MCRED_ERR_LIMIT ? CLI_FAILED : CLI_USAGE;
    }
    *out = mc_buf_take(&b, len);
    if (!*out) {
        cli_error("out of memory");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write p[0..n) to path through a temporary file in the same directory,
 * then rename (force) or link (no overwrite) it into place, so path is either
 * absent, as before, or whole. path NULL or "-": standard output, which must
 * not be a terminal when binary. */
static int write_out(const char *path, const char *p, size_t n, bool force, bool binary)
{
    char *tmp;
    mode_t mask;
    int fd, rc = CLI_USAGE;

    if (!path || strcmp(path, "-") == 0) {
        if (binary && isatty(STDOUT_FILENO)) {
            cli_error("not writing an image to a terminal: give --out FILE or redirect the "
                      "output");
            return CLI_USAGE;
        }
        if (fwrite(p, 1, n, stdout) != n || fflush(stdout) != 0) {
            cli_error("cannot write to standard output");
            return CLI_USAGE;
        }
        return CLI_OK;
    }
    tmp = mc_malloc(strlen(path) + 8);
    if (!tmp) {
        cli_error("out of memory");
        return CLI_USAGE;
    }
    memcpy(tmp, path, strlen(path));
    memcpy(tmp + strlen(path), ".XXXXXX", 8);
    fd = mkstemp(tmp);
    if (fd < 0) {
        cli_error("cannot create a temporary file next to '%s': %s", path, strerror(errno));
        mc_free(tmp);
        return CLI_USAGE;
    }
    mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || write_all(fd, p, n) != 0 || fsync(fd) != 0) {
        cli_error("cannot write '%s': %s", tmp, strerror(errno));
        close(fd);
        goto out;
    }
    if (close(fd) != 0) {
        cli_error("cannot write '%s': %s", tmp, strerror(errno));
        goto out;
    }
    if (force) {
        if (rename(tmp, path) != 0)
            cli_error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
        else
            rc = CLI_OK;
    } else if (link(tmp, path) == 0) {
        rc = CLI_OK;   /* no-clobber, atomically */
    } else if (errno == EEXIST) {
        cli_error("'%s' exists (use --force to replace it)", path);
    } else {
        cli_error("cannot create '%s': %s", path, strerror(errno));
    }
out:
    if (rc != CLI_OK || !force)
        unlink(tmp);
    mc_free(tmp);
    return rc;
}

/* Refused input is exit 1; a failure of ours (memory) is 2. */
static int exit_for(mcred_rc rc)
{
    return rc == MCRED_ERR_NOMEM || rc == MCRED_ERR_INTERNAL || rc == MCRED_ERR_IO ? CLI_USAGE
                                                                                 : CLI_FAILED;
}

int cmd_bake(int argc, char **argv)
{
    const char *png = NULL, *svg = NULL, *outpath = NULL, *pos[1], *img_path;
    bool force = false;
    struct cli_opt opts[] = { { "png", &png, NULL }, { "svg", &svg, NULL },
                              { "out", &outpath, NULL }, { "force", NULL, &force },
                              { NULL, NULL, NULL } };
    struct mc_buf baked;
    struct mc_err err;
    char *img = NULL, *cred = NULL;
    size_t img_len, cred_len;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(bake_usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1 || (png != NULL) == (svg != NULL)) {
        fputs(bake_usage, stderr);
        cli_error("bake: needs one of --png IMG or --svg IMG, and one credential");
        return CLI_USAGE;
    }
    img_path = png ? png : svg;
    if (strcmp(img_path, "-") == 0 && strcmp(pos[0], "-") == 0) {
        cli_error("bake: the image and the credential cannot both be standard input");
        return CLI_USAGE;
    }
    if (!outpath && isatty(STDOUT_FILENO)) {
        cli_error("bake: not writing an image to a terminal: give --out FILE or redirect the "
                  "output");
        return CLI_USAGE;
    }
    rc = read_capped(img_path, MC_BAKE_MAX_IMAGE, "image", &img, &img_len);
    if (!rc)
        rc = read_capped(pos[0], MC_BAKE_MAX_TEXT + 4096, "credential", &cred, &cred_len);
    if (rc)
        goto out;
    mc_buf_init(&baked, MC_BAKE_MAX_IMAGE);
    mc_err_clear(&err);
    if (mc_bake((const unsigned char *)img, img_len, png ? MC_BAKE_IMAGE_PNG : MC_BAKE_IMAGE_SVG,
                cred, cred_len, &baked, NULL, &err) != MCRED_OK) {
        cli_error("bake: %s", mc_err_msg(&err));
        rc = exit_for(err.rc);
    } else {
        rc = write_out(outpath, baked.ptr, baked.len, force, true);
    }
    mc_buf_release(&baked);
out:
    mc_free(img);
    mc_free(cred);
    return rc;
}

/* --json: a description of what was found. */
static int print_json(const struct mc_baked *b)
{
    cJSON *o = cJSON_CreateObject();
    struct mc_buf s;
    int rc = CLI_USAGE;

    mc_buf_init(&s, 0);
    if (o && cJSON_AddStringToObject(o, "image", mc_bake_image_name(b->image)) &&
        cJSON_AddStringToObject(o, "version", b->version == 3 ? "3.0" : "2.0") &&
        cJSON_AddStringToObject(o, "form", mc_bake_form_name(b->form)) &&
        cJSON_AddBoolToObject(o, "hosted", b->hosted) &&
        cJSON_AddStringToObject(o, "where", b->where) &&
        cJSON_AddStringToObject(o, "credential", b->data) &&
        mc_json_stringify(o, 2, &s, NULL) == MCRED_OK) {
        printf("%s\n", s.ptr);
        rc = CLI_OK;
    } else {
        cli_error("out of memory");
    }
    mc_buf_release(&s);
    cJSON_Delete(o);
    return rc;
}

int cmd_unbake(int argc, char **argv)
{
    const char *outpath = NULL, *pos[1];
    bool force = false, json = false;
    struct cli_opt opts[] = { { "out", &outpath, NULL }, { "force", NULL, &force },
                              { "json", NULL, &json }, { NULL, NULL, NULL } };
    struct mc_baked b;
    struct mc_err err;
    char *img = NULL;
    size_t n;
    int npos, rc;

    if (cli_wants_help(argc, argv)) {
        fputs(unbake_usage, stdout);
        return CLI_OK;
    }
    rc = cli_parse(argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (npos != 1 || (json && outpath)) {
        fputs(unbake_usage, stderr);
        cli_error("unbake: %s",
                  npos != 1 ? "needs one image" : "--json and --out exclude each other");
        return CLI_USAGE;
    }
    rc = read_capped(pos[0], MC_BAKE_MAX_IMAGE, "image", &img, &n);
    if (rc)
        return rc;
    mc_err_clear(&err);
    if (mc_unbake((const unsigned char *)img, n, &b, &err) != MCRED_OK) {
        cli_error("unbake: %s: %s", pos[0], mc_err_msg(&err));
        mc_free(img);
        return exit_for(err.rc);
    }
    mc_free(img);
    if (json)
        rc = print_json(&b);
    else if (outpath)
        rc = write_out(outpath, b.data, b.len, force, false);
    else {
        rc = write_out(NULL, b.data, b.len, false, false);
        if (!rc && (b.len == 0 || b.data[b.len - 1] != '\n'))
            rc = write_out(NULL, "\n", 1, false, false);
    }
    mc_baked_release(&b);
    return rc;
}
