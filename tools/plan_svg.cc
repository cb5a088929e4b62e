// SPDX-License-Identifier: Apache-2.0
// SVG rendering of the memory plan (see plan_svg.h). Plain text output, no library.
#include "plan_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/display_text.h"

namespace incept::bench {
namespace {

constexpr double kWidth = 1200, kHeight = 760;
constexpr double kLeft = 80, kRight = 20, kTop = 56, kBottom = 48;
constexpr double kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;

// Printable text (no control bytes or invalid UTF-8, which XML cannot carry) with XML's five escaped.
std::string xml_only(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string shape_str(const Shape& s) {
  char buf[64];
  return shape_to_string(s, buf, sizeof(buf));
}

// A round step (1, 2, 5 x 10^k) giving about `ticks` intervals over [0, range].
double nice_step(double range, int ticks) {
  if (range <= 0.0) return 1.0;
  const double raw = range / ticks;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * mag) return m * mag;
  return 10.0 * mag;
}

// A short label: the name without the ONNX exporter's "_output_0" suffix and leading '/', escaped and cut
// from the left to `chars` (the end of a name is the distinctive part).
std::string short_label(std::string name, size_t chars) {
  const std::string suffix = "_output_0";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name.resize(name.size() - suffix.size());
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  return tools::fit_left(escape_bytes(name), chars);
}

struct Placed {
  int index = 0;
  TensorPlacement p;
  int root = -1;         // outermost concat output holding this view (views only)
  double y0 = 0, h = 0;  // bytes: start offset and height of the drawn band
};

}  // namespace

Status write_plan_svg(const char* path, const Interpreter& it, const std::string& title) {
  const PlanStats& st = it.plan_stats();
  const int steps = std::max(1, it.num_ops());
  std::vector<TensorPlacement> all(it.num_tensors());
  for (int t = 0; t < it.num_tensors(); ++t) all[t] = it.tensor_placement(t);
  std::vector<Placed> roots, views;
  std::vector<double> live(steps, 0.0);
  for (int t = 0; t < it.num_tensors(); ++t) {
    const TensorPlacement& p = all[t];
    if (!p.in_arena) continue;
    Placed q{t, p, -1, static_cast<double>(p.offset), static_cast<double>(p.bytes)};
    if (p.view_of < 0) {
      roots.push_back(q);
      for (int s = std::max(0, p.first_step); s <= std::min(steps - 1, p.last_step); ++s) live[s] += p.bytes;
      continue;
    }
    int r = p.view_of;
    while (all[r].view_of >= 0) r = all[r].view_of;
    const TensorPlacement& root = all[r];
    const double channels = root.pixel_stride > 0 ? root.pixel_stride : 1;
    const double first_ch = static_cast<double>(p.offset - root.offset) / sizeof(float);
    const double own_ch = p.shape.rank > 0 ? p.shape.dims[p.shape.rank - 1] : 1;
    q.root = r;
    q.y0 = root.offset + root.bytes * first_ch / channels;
    q.h = root.bytes * own_ch / channels;
    views.push_back(q);
  }

  const double ymax =
      std::max<double>({1.0, static_cast<double>(st.arena_bytes), static_cast<double>(st.lower_bound_bytes)});
  auto X = [&](double step) { return kLeft + kPlotW * step / steps; };
  auto Y = [&](double bytes) { return kTop + kPlotH * (1.0 - bytes / ymax); };  // offset 0 at the bottom

  std::FILE* f = std::fopen(path, "w");
  if (f == nullptr) return Status::error(StatusCode::kIoError, "cannot write '%s'", path);
  std::fprintf(f,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "font-family=\"sans-serif\" font-size=\"11\">\n"
               "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
               "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#222\" "
               "stroke-width=\"1.2\" stroke-opacity=\"0.55\"/></pattern></defs>\n"
               "<path d=\"M0 0H%.0fV%.0fH0Z\" fill=\"white\"/>\n",
               kWidth, kHeight, kWidth, kHeight, kWidth, kHeight);
  int num_q8 = 0;
  for (const Placed& q : roots) num_q8 += std::strcmp(q.p.dtype, "float32") != 0;
  std::fprintf(f, "<text x=\"%.0f\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", kLeft,
               xml_only(title).c_str());
  std::fprintf(f,
               "<text x=\"%.0f\" y=\"38\">arena %.3f MiB, lower bound %.3f MiB (ratio %.3f), copy-concat plan %.3f "
               "MiB; %zu tensors (%d of 1-byte elements: pale, blue outline), %zu concat views (hatched); red: lower "
               "bound, orange: live bytes per step</text>\n",
               kLeft, st.arena_bytes / 1048576.0, st.lower_bound_bytes / 1048576.0,
               st.lower_bound_bytes ? double(st.arena_bytes) / st.lower_bound_bytes : 0.0,
               st.copy_concat_bytes / 1048576.0, roots.size(), num_q8, views.size());

  // Grid and axes.
  const double ystep = nice_step(ymax / 1048576.0, 8) * 1048576.0;
  std::fprintf(f, "<g stroke=\"#ddd\" stroke-width=\"0.5\">\n");
  for (double b = 0; b <= ymax + 1; b += ystep)
    std::fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", kLeft, Y(b), kLeft + kPlotW, Y(b));
  const double xstep = std::max(1.0, nice_step(steps, 12));
  for (double s = 0; s <= steps; s += xstep)
    std::fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", X(s), kTop, X(s), kTop + kPlotH);
  std::fprintf(f, "</g>\n<g text-anchor=\"end\">\n");
  for (double b = 0; b <= ymax + 1; b += ystep)
    std::fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%g</text>\n", kLeft - 6, Y(b) + 4, b / 1048576.0);
  std::fprintf(f, "</g>\n<g text-anchor=\"middle\">\n");
  for (double s = 0; s <= steps; s += xstep)
    std::fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%g</text>\n", X(s), kTop + kPlotH + 16, s);
  std::fprintf(f,
               "<text x=\"%.1f\" y=\"%.1f\">step (op index)</text>\n"
               "<text transform=\"translate(18 %.1f) rotate(-90)\">arena offset (MiB)</text>\n</g>\n",
               kLeft + kPlotW / 2, kHeight - 10, kTop + kPlotH / 2);

  // Tensors: roots first, views on top of them.
  std::vector<bool> has_views(all.size(), false);
  for (const Placed& q : views) has_views[q.root] = true;
  auto rect = [&](const Placed& q, const char* cls, const std::string& fill, const char* extra) {
    const TensorPlacement& p = q.p;
    const double x0 = X(std::max(0, p.first_step)),
                 x1 = X(std::min(steps - 1, std::max(p.first_step, p.last_step)) + 1);
    const double ytop = Y(q.y0 + q.h), ybot = Y(q.y0);
    const double h = std::max(0.8, ybot - ytop);
    // File strings (tensor names) are escaped as the tools print them; the line breaks are the tooltip's own.
    std::string tip = escape_bytes(p.name) + std::string(" ") + shape_str(p.shape) + "\n" + std::to_string(p.bytes) +
                      " bytes at offset " + std::to_string(p.offset) + "\nsteps " + std::to_string(p.first_step) +
                      ".." + std::to_string(p.last_step);
    if (std::strcmp(p.dtype, "float32") != 0) {
      char quant[96];
      std::snprintf(quant, sizeof(quant), "\n%s, 1 byte an element, scale %.6g, zero point %d", p.dtype,
                    static_cast<double>(p.scale), static_cast<int>(p.zero_point));
      tip += quant;
    }
    if (q.root >= 0 && p.fused)
      tip += "\nthe conv writes " + escape_bytes(all[p.view_of].name) + " directly (residual add fused)";
    else if (q.root >= 0 && p.in_place)
      tip += "\nwritten in place over " + escape_bytes(all[p.view_of].name);
    else if (q.root >= 0)
      tip += "\nview of " + escape_bytes(all[p.view_of].name) + ", channels from " + std::to_string(p.channel_offset) +
             ", pixel stride " + std::to_string(p.pixel_stride);
    std::fprintf(f,
                 "<rect class=\"%s\" data-tensor=\"%d\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                 "fill=\"%s\" %s><title>%s</title></rect>\n",
                 cls, q.index, x0, ybot - h, std::max(0.8, x1 - x0), h, fill.c_str(), extra, xml_only(tip).c_str());
    if (x1 - x0 > 40 && h > 12 && !has_views[q.index]) {  // a concat root is labelled by its views
      const std::string label = short_label(p.name, static_cast<size_t>((x1 - x0 - 4) / 6.2));
      std::fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" pointer-events=\"none\">%s</text>\n", x0 + 2,
                   ybot - h / 2 + 3.5, xml_only(label).c_str());
    }
  };
  for (const Placed& q : roots) {  // 8-bit tensors: lighter, with a blue outline (class "tensor q8")
    const bool q8 = std::strcmp(q.p.dtype, "float32") != 0;
    char fill[48];
    std::snprintf(fill, sizeof(fill), "hsl(%d,%d%%,%d%%)", (q.index * 47) % 360, q8 ? 45 : 55, q8 ? 82 : 72);
    rect(q, q8 ? "tensor q8" : "tensor", fill,
         q8 ? "stroke=\"#1f5fbf\" stroke-width=\"0.9\"" : "stroke=\"#333\" stroke-width=\"0.5\"");
  }
  for (const Placed& q : views)
    rect(q, "view", "url(#hatch)", "stroke=\"#000\" stroke-width=\"0.8\" stroke-dasharray=\"3,2\"");

  // Lower bound and the live-bytes step line (activations only: kernel scratch is not placed per tensor).
  std::fprintf(f,
               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d00\" stroke-width=\"1.2\" "
               "stroke-dasharray=\"6,3\"><title>lower bound %zu bytes</title></line>\n",
               kLeft, Y(st.lower_bound_bytes), kLeft + kPlotW, Y(st.lower_bound_bytes), st.lower_bound_bytes);
  std::fprintf(f, "<polyline fill=\"none\" stroke=\"#f80\" stroke-width=\"1.5\" points=\"");
  for (int s = 0; s < steps; ++s) std::fprintf(f, "%.1f,%.1f %.1f,%.1f ", X(s), Y(live[s]), X(s + 1), Y(live[s]));
  std::fprintf(f, "\"><title>bytes of tensors live at each step</title></polyline>\n");
  std::fprintf(f, "<path d=\"M%.1f %.1fV%.1fH%.1f\" fill=\"none\" stroke=\"#000\"/>\n</svg>\n", kLeft, kTop,
               kTop + kPlotH, kLeft + kPlotW);
  const bool ok = std::ferror(f) == 0;
  if (std::fclose(f) != 0 || !ok) return Status::error(StatusCode::kIoError, "cannot write '%s'", path);
  return Status::ok();
}

}  // namespace incept::bench
