/* test_qr.c - lib/service/qr.h: the SVG of a QR code parses as XML (network
 * and entities off), has the quiet zone in its viewBox, and its one path
 * draws exactly the dark modules libqrencode computed for the text; symbol
 * sizes follow the byte-mode capacities of ISO/IEC 18004 Table 7 (level M:
 * version 1 holds 14 bytes, 2: 26, 3: 42, 4: 62); bad input is refused.
 * SPDX-License-Identifier: Apache-2.0 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <qrencode.h>

#include "check.h"
#include "service/qr.h"

/* Read the path "M<x> <y>h<n>v1h-<n>z..." into a side x side grid; false
 * on anything else. */
static bool draw(const char *d, unsigned char *grid, int side)
{
    while (*d) {
        int x, y, n, n2, used = 0;

        if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used) != 4 || used == 0 ||
            n != n2 || n <= 0 || x < 0 || y < 0 || x + n > side || y >= side)
            return false;
        for (int i = 0; i < n; i++) {
            if (grid[y * side + x + i])
                return false;   /* drawn twice */
            grid[y * side + x + i] = 1;
        }
        d += used;
    }
    return true;
}

/* The SVG of text: parsed, and compared with libqrencode's own matrix. */
static void check_text(const char *text, int want_width)
{
    struct mc_buf b;
    struct mc_err err;
    int modules = -1, side, w = 0, h = 0, x0 = -1, y0 = -1;
    xmlDocPtr doc = NULL;
    xmlNodePtr root = NULL, n, path = NULL;
    xmlChar *vb = NULL, *d = NULL;
    unsigned char *grid = NULL;
    QRcode *q;
    bool same = true;

    mc_buf_init(&b, 1 << 20);
    mc_err_clear(&err);
    CHECK(mc_qr_svg(text, &b, &modules, &err) == MCRED_OK, "%s: %s", text, mc_err_msg(&err));
    CHECK(modules == want_width, "%s: %d modules, want %d", text, modules, want_width);
    doc = b.ptr ? xmlReadMemory(b.ptr, (int)b.len, "qr.svg", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
                : NULL;
    CHECK(doc != NULL, "%s: the SVG does not parse", text);
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    CHECK(root && xmlStrcmp(root->name, (const xmlChar *)"svg") == 0, "%s: root is no svg", text);
    if (root) {
        int paths = 0;

        vb = xmlGetProp(root, (const xmlChar *)"viewBox");
        for (n = root->children; n; n = n->next) {
            if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)"path") == 0) {
                path = n;
                paths++;
            }
        }
        CHECK(paths == 1, "%s: %d paths, want one", text, paths);
    }
    side = want_width + 2 * MC_QR_QUIET;
    CHECK(vb && sscanf((const char *)vb, "%d %d %d %d", &x0, &y0, &w, &h) == 4, "%s: viewBox",
          text);
    CHECK(x0 == 0 && y0 == 0 && w == side && h == side, "%s: viewBox %d %d %d %d, want 0 0 %d %d",
          text, x0, y0, w, h, side, side);
    d = path ? xmlGetProp(path, (const xmlChar *)"d") : NULL;
    grid = calloc((size_t)side * (size_t)side, 1);
    CHECK(grid && d && draw((const char *)d, grid, side), "%s: the path is not runs of modules",
          text);
    q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    CHECK(q && q->width == want_width, "%s: libqrencode width", text);
    for (int y = 0; grid && q && y < side; y++) {
        for (int x = 0; x < side; x++) {
            int mx = x - MC_QR_QUIET, my = y - MC_QR_QUIET;
            int dark = mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
                       (q->data[my * q->width + mx] & 1);

            if (grid[y * side + x] != dark)
                same = false;
        }
    }
    CHECK(same, "%s: the path draws other modules than the symbol has", text);
    if (q)
        QRcode_free(q);
    free(grid);
    xmlFree(vb);
    xmlFree(d);
    xmlFreeDoc(doc);
    mc_buf_release(&b);
}

int main(void)
{
    struct mc_buf b;
    struct mc_err err;
    char big[MC_QR_MAX_TEXT + 2];

    /* ISO/IEC 18004 Table 7, byte mode, level M */
    check_text("01234567", 21);                                     /* 8 bytes: version 1 */
    check_text("ABCDEFGHIJKLMN", 21);                               /* 14: still version 1 */
    check_text("ABCDEFGHIJKLMNO", 25);                              /* 15: version 2 */
    check_text("https://badges.example/badges/AbCdEfGhIjKlMnOpQrStUv", 33); /* 52: v4 */
    /* refused */
    mc_buf_init(&b, 1 << 20);
    mc_err_clear(&err);
    CHECK(mc_qr_svg("", &b, NULL, &err) == MCRED_ERR_INVALID && b.len == 0, "empty text refused");
    CHECK(mc_qr_svg(NULL, &b, NULL, &err) == MCRED_ERR_INVALID, "NULL text refused");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK(mc_qr_svg(big, &b, NULL, &err) == MCRED_ERR_LIMIT, "over the cap: LIMIT");
    CHECK(strstr(mc_err_msg(&err), "longer") != NULL, "the error says why: %s", mc_err_msg(&err));
    /* the cap itself fits: version 40-M holds 2331 bytes */
    big[MC_QR_MAX_TEXT] = '\0';
    CHECK(mc_qr_svg(big, &b, NULL, &err) == MCRED_OK, "the cap fits: %s", mc_err_msg(&err));
    mc_buf_release(&b);
    xmlCleanupParser();
    return check_report();
}
