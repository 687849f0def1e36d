/* bench_formats.c - the universal verifier's throughput for each format it
 * takes: an OB 3.0 credential with eddsa-rdfc-2022, with eddsa-jcs-2022, as
 * a VC-JWT, baked into a PNG badge (rdfc inside), and a presentation of one
 * rdfc credential (two signatures), each verified from its bytes through
 * mc_verify_bytes on one thread, beside raw libsodium Ed25519 verify measured
 * in slices interleaved with it (same thread, same moments), as ratios.
 * CPU time of this thread. Asserts nothing.
 * usage: bench_formats [SECONDS_PER_CASE] [ACHIEVEMENT.json]
 * SPDX-License-Identifier: Apache-2.0 */
#define _DEFAULT_SOURCE 1
#include "internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>

#include "bake/bake.h"
#include "crypto/keys.h"
#include "jsonld/ctxstore.h"
#include "jsonld/jcs.h"
#include "jsonld/jsonld.h"
#include "model/ob.h"
#include "service/sign.h"
#include "service/verify.h"
#include "util/json.h"

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct mc_ctxstore *store;
static struct mc_jsonld_cache *cache;

static void must(mcred_rc rc)
{
    if (rc != MCRED_OK) {
        fprintf(stderr, "bench_formats: out of memory\n");
        exit(2);
    }
}

static char *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)len + 1);
    if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p)
        p[len] = '\0';
    *n = (size_t)len;
    return p;
}

static char *sign(const char *in, const struct mc_key *k, const char *suite, const char *purpose,
                  const char *challenge)
{
    struct mc_sign_opts so = { 0 };
    struct mc_buf out;

    so.suite = suite;
    so.now = 1750000000;
    so.contexts = store;
    so.cache = cache;
    so.proof_purpose = purpose;
    so.challenge = challenge;
    mc_buf_init(&out, 0);
    if (mc_sign_bytes(in, strlen(in), k, &so, &out, NULL) != MCRED_OK) {
        mc_buf_release(&out);
        return NULL;
    }
    return mc_buf_take(&out, NULL);
}

static void png_chunk(struct mc_buf *b, const char *type, const void *d, size_t n)
{
    uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
    uLong crc = crc32(0, (const Bytef *)type, 4);

    crc = crc32(crc, d, (uInt)n);
    must(mc_buf_append(b, len, 4));
    must(mc_buf_append(b, type, 4));
    must(mc_buf_append(b, d, n));
    {
        uint8_t c[4] = { (uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8),
                         (uint8_t)crc };

        must(mc_buf_append(b, c, 4));
    }
}

/* A 64x64 grey PNG (about the size of a small badge image). */
static void make_png(struct mc_buf *b)
{
    uint8_t raw[64 * 65], z[8192], ihdr[13] = { 0, 0, 0, 64, 0, 0, 0, 64, 8, 0, 0, 0, 0 };
    uLongf zn = sizeof(z);
    size_t i;

    for (i = 0; i < sizeof(raw); i++)
        raw[i] = i % 65 ? (uint8_t)(i * 7) : 0;
    compress2(z, &zn, raw, sizeof(raw), 9);
    must(mc_buf_append(b, "\x89PNG\r\n\x1a\n", 8));
    png_chunk(b, "IHDR", ihdr, sizeof(ihdr));
    png_chunk(b, "IDAT", z, zn);
    png_chunk(b, "IEND", "", 0);
}

struct fmt {
    const char *name;
    const char *bytes;
    size_t n;
    const char *challenge;
    int signatures;      /* Ed25519 verifications one verify makes */
};

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 2;
    const char *achf = argc > 2 ? argv[2] : "tests/vectors/ob/achievement.json";
    static const uint8_t s1[32] = { 1 }, s2[32] = { 2 };
    struct mc_key k, holder;
    struct mc_buf did, hdid, png, baked, vpin;
    char *ach, *unsigned_cred, *rdfc, *jcs, *jwt, *vp, msg[64] = "raw ed25519 reference message";
    uint8_t sig[64];
    size_t n, i;
    struct fmt f[5];
    cJSON *cred = NULL, *a = NULL;

    if (secs <= 0)
        secs = 2;
    if (mc_ctxstore_new(&store, NULL, NULL) || mc_jsonld_cache_new(&cache) ||
        mc_key_generate(&k, s1) || mc_key_generate(&holder, s2)) {
        fprintf(stderr, "bench_formats: cannot start\n");
        return 2;
    }
    ach = read_file(achf, &n);
    if (!ach || mc_json_parse(ach, n, 0, &a, NULL) != MCRED_OK) {
        fprintf(stderr, "bench_formats: cannot read %s\n", achf);
        return 2;
    }
    mc_buf_init(&did, 0);
    mc_buf_init(&hdid, 0);
    must(mc_key_did(&k, &did));
    must(mc_key_did(&holder, &hdid));
    {
        struct mc_ob_issue in = { 0 };
        struct mc_buf out;

        in.issuer_id = did.ptr;
        in.issuer_name = "Example University";
        in.achievement = a;
        in.recipient = hdid.ptr;
        in.valid_from = 1740000000;
        mc_buf_init(&out, 0);
        if (mc_ob_credential_new(&in, &cred, NULL) != MCRED_OK ||
            mc_json_stringify(cred, 0, &out, NULL) != MCRED_OK) {
            fprintf(stderr, "bench_formats: cannot build the credential\n");
            return 2;
        }
        unsigned_cred = mc_buf_take(&out, NULL);
    }
    rdfc = sign(unsigned_cred, &k, "eddsa-rdfc-2022", NULL, NULL);
    jcs = sign(unsigned_cred, &k, "eddsa-jcs-2022", NULL, NULL);
    jwt = sign(unsigned_cred, &k, "vc-jwt", NULL, NULL);
    mc_buf_init(&png, 0);
    mc_buf_init(&baked, 0);
    make_png(&png);
    mc_buf_init(&vpin, 0);
    must(mc_buf_printf(&vpin, "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],"
                               "\"type\":[\"VerifiablePresentation\"],\"holder\":\"%s\","
                               "\"verifiableCredential\":[%s]}", hdid.ptr, rdfc ? rdfc : ""));
    vp = sign(vpin.ptr, &holder, "eddsa-rdfc-2022", "authentication", "bench-challenge");
    if (!rdfc || !jcs || !jwt || !vp ||
        mc_bake((const unsigned char *)png.ptr, png.len, MC_BAKE_IMAGE_PNG, rdfc, strlen(rdfc),
                &baked, NULL, NULL) != MCRED_OK) {
        fprintf(stderr, "bench_formats: cannot make the inputs\n");
        return 2;
    }
    f[0] = (struct fmt){ "eddsa-rdfc-2022", rdfc, strlen(rdfc), NULL, 1 };
    f[1] = (struct fmt){ "eddsa-jcs-2022", jcs, strlen(jcs), NULL, 1 };
    f[2] = (struct fmt){ "vc-jwt (EdDSA)", jwt, strlen(jwt), NULL, 1 };
    f[3] = (struct fmt){ "baked png (rdfc)", baked.ptr, baked.len, NULL, 1 };
    f[4] = (struct fmt){ "presentation (rdfc x2)", vp, strlen(vp), "bench-challenge", 2 };
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, sizeof(msg), k.sk);

    printf("universal verifier, from bytes, one thread, CPU time (%.1f s per case)\n", secs);
    printf("%-24s %8s %12s %12s %8s\n", "format", "bytes", "verify/s", "raw Ed25519/s",
           "ratio");
    for (i = 0; i < 5; i++) {
        struct mc_verify_opts vo = { 0 };
        struct mc_verdict v;
        double ours_t = 0, raw_t = 0, end;
        long ours_n = 0, raw_n = 0;
        int j;

        vo.now = 1800000000;
        vo.contexts = store;
        vo.cache = cache;
        vo.challenge = f[i].challenge;
        if (mc_verify_bytes(f[i].bytes, f[i].n, &vo, &v, NULL) != MCRED_OK ||
            mc_verdict_exit_code(&v) != 0) {
            fprintf(stderr, "bench_formats: %s does not verify (%s)\n", f[i].name,
                    mc_verdict_name(v.kind));
            return 2;
        }
        /* paired slices: 50 ms of ours, 50 ms of raw, until secs of each */
        while (ours_t < secs) {
            double t0 = cpu_s();

            end = t0 + 0.05;
            do {
                for (j = 0; j < 8; j++)
                    must(mc_verify_bytes(f[i].bytes, f[i].n, &vo, &v, NULL));
                ours_n += 8;
            } while (cpu_s() < end);
            ours_t += cpu_s() - t0;
            t0 = cpu_s();
            end = t0 + 0.05;
            do {
                for (j = 0; j < 32; j++)
                    if (crypto_sign_verify_detached(sig, (const uint8_t *)msg, sizeof(msg),
                                                    k.pk) != 0)
                        return 2;
                raw_n += 32;
            } while (cpu_s() < end);
            raw_t += cpu_s() - t0;
        }
        printf("%-24s %8zu %12.0f %12.0f %8.2f%s\n", f[i].name, f[i].n, ours_n / ours_t,
               raw_n / raw_t, (ours_n / ours_t) / (raw_n / raw_t) * f[i].signatures,
               f[i].signatures > 1 ? "  (per signature)" : "");
    }
    printf("ratio: verifications per second over raw libsodium Ed25519 verify per second (the "
           "physical limit: 1.00)\n");
    free(ach);
    free(unsigned_cred);
    free(rdfc);
    free(jcs);
    free(jwt);
    free(vp);
    cJSON_Delete(cred);
    cJSON_Delete(a);
    mc_buf_release(&did);
    mc_buf_release(&hdid);
    mc_buf_release(&png);
    mc_buf_release(&baked);
    mc_buf_release(&vpin);
    mc_key_clear(&k);
    mc_key_clear(&holder);
    mc_jsonld_cache_free(cache);
    mc_ctxstore_free(store);
    return 0;
}
