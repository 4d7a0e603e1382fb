#include "inspect/dot.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "core/atomic_file.h"
#include "core/autograd.h"
#include "inspect/graph.h"

namespace tg {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// The first `depth` components of a dotted path.
std::string truncate_path(const std::string& path, int depth) {
  size_t pos = 0;
  for (int i = 0; i < depth; ++i) {
    pos = path.find('.', pos);
    if (pos == std::string::npos) return path;
    if (i + 1 < depth) ++pos;
  }
  return path.substr(0, pos);
}

// One drawable thing: an op, a leaf or a collapsed module.
struct Vertex {
  std::string id, label, attrs, module;
};

// Builds the vertex and edge lists, then prints them inside nested module clusters.
class DotBuilder {
 public:
  explicit DotBuilder(const DotOptions& options) : options_(options) {}

  DotGraph build(const Tensor& root) {
    const auto tape = tape_of(root);
    if (tape.empty()) {
      if (root.defined()) add_leaf(*root.impl(), "");  // a leaf alone: one vertex, no edges
    }
    for (const auto& node : tape) {
      const std::string& owner = attribution_.owner_of(*node);
      const std::string target = op_vertex(*node, owner, node.get() == tape.back().get());
      for (const Edge& e : node->inputs) {
        std::string source;
        if (e.node) source = vertex_of_node_.at(e.node.get());
        else if (e.leaf) source = add_leaf(*e.leaf, owner);
        else continue;
        if (source != target) add_edge(source, target);
      }
    }
    return print();
  }

 private:
  // A module box at collapse depth, or "" when `module` is drawn op by op.
  std::string box_of(const std::string& module) const {
    if (options_.collapse_depth <= 0 || module_depth(module) < options_.collapse_depth) return "";
    return truncate_path(module, options_.collapse_depth);
  }

  std::string box_vertex(const std::string& box) {
    auto it = boxes_.find(box);
    if (it != boxes_.end()) return it->second;
    std::string id = fmt::format("m{}", boxes_.size());
    boxes_.emplace(box, id);
    vertices_.push_back({id, "", "shape=box3d, style=filled, fillcolor=\"#e8f0fe\"", parent_module(box)});
    box_index_[id] = vertices_.size() - 1;
    return id;
  }
  static std::string parent_module(const std::string& path) { return module_of_parameter(path); }

  std::string op_vertex(const Node& n, const std::string& owner, bool is_root) {
    std::string box = box_of(owner);
    std::string id;
    if (!box.empty() && !is_root) {
      id = box_vertex(box);
      ++box_ops_[id];
    } else {
      id = fmt::format("n{}", n.seq);
      std::string label = fmt::format("{}\\n{}", escape(n.op), to_string(n.out_shape));
      if (n.out_dtype != kFloat32) label += fmt::format(" {}", n.out_dtype);
      std::string attrs = is_root ? "shape=doubleoctagon, style=filled, fillcolor=\"#fde2e2\"" : "shape=ellipse";
      vertices_.push_back({id, fmt::format("#{} {}", n.seq, label), attrs, owner});
    }
    vertex_of_node_[&n] = id;
    return id;
  }

  std::string add_leaf(const TensorImpl& leaf, const std::string& consumer_module) {
    auto it = vertex_of_leaf_.find(&leaf);
    if (it != vertex_of_leaf_.end()) return it->second;
    const bool named = !leaf.name.empty();
    const std::string module = named ? module_of_parameter(leaf.name) : consumer_module;
    std::string box = named ? box_of(module) : "";
    std::string id;
    if (!box.empty()) {
      id = box_vertex(box);
      ++box_params_[id];
    } else {
      id = fmt::format("l{}", vertex_of_leaf_.size());
      std::string label = fmt::format("{}\\n{}", named ? escape(leaf.name) : std::string("input"), to_string(leaf.shape));
      vertices_.push_back({id, label, "shape=box, style=filled, fillcolor=\"#d9ead3\"", named ? module : ""});
    }
    vertex_of_leaf_[&leaf] = id;
    return id;
  }

  void add_edge(const std::string& from, const std::string& to) {
    if (box_index_.count(from) || box_index_.count(to)) {
      if (++edge_count_[{from, to}] > 1) return;  // boxes: one edge per pair, with a count
    }
    edges_.emplace_back(from, to);
  }

  // Nested clusters: module path -> vertices directly in it, and its child modules.
  DotGraph print() {
    for (auto& [box, id] : boxes_) {
      Vertex& v = vertices_[box_index_.at(id)];
      v.label = fmt::format("{}\\n{} ops, {} parameters", escape(box), box_ops_[id], box_params_[id]);
    }
    std::map<std::string, std::vector<const Vertex*>> members;
    std::set<std::string> modules;
    for (const Vertex& v : vertices_) {
      const std::string m = options_.clusters ? v.module : "";
      members[m].push_back(&v);
      for (std::string p = m; !p.empty(); p = parent_module(p)) modules.insert(p);
    }
    std::string out = "digraph tapegrad {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
                      "  edge [color=\"#555555\"];\n";
    if (!options_.title.empty())
      out += fmt::format("  labelloc=t;\n  label=\"{}\";\n", escape(options_.title));
    print_members(out, members[""], "  ");
    for (const std::string& m : modules)
      if (parent_module(m).empty()) print_cluster(out, m, modules, members, "  ");
    for (const auto& [from, to] : edges_) {
      auto count = edge_count_.find({from, to});
      if (count != edge_count_.end() && count->second > 1)
        out += fmt::format("  {} -> {} [label=\"x{}\"];\n", from, to, count->second);
      else
        out += fmt::format("  {} -> {};\n", from, to);
    }
    out += "}\n";
    return {std::move(out), static_cast<int64_t>(vertices_.size()), static_cast<int64_t>(edges_.size())};
  }

  static void print_members(std::string& out, const std::vector<const Vertex*>& vs, const std::string& indent) {
    for (const Vertex* v : vs) out += fmt::format("{}{} [label=\"{}\", {}];\n", indent, v->id, v->label, v->attrs);
  }

  void print_cluster(std::string& out, const std::string& module, const std::set<std::string>& modules,
                     std::map<std::string, std::vector<const Vertex*>>& members, const std::string& indent) {
    out += fmt::format("{}subgraph \"cluster_{}\" {{\n{}  label=\"{}\";\n{}  style=rounded;\n{}  color=\"#8888aa\";\n",
                       indent, escape(module), indent, escape(module), indent, indent);
    print_members(out, members[module], indent + "  ");
    for (auto it = modules.upper_bound(module); it != modules.end() && it->compare(0, module.size() + 1, module + ".") == 0; ++it)
      if (parent_module(*it) == module) print_cluster(out, *it, modules, members, indent + "  ");
    out += indent + "}\n";
  }

  DotOptions options_;
  ModuleAttribution attribution_;
  std::vector<Vertex> vertices_;
  std::vector<std::pair<std::string, std::string>> edges_;
  std::map<std::pair<std::string, std::string>, int64_t> edge_count_;
  std::unordered_map<const Node*, std::string> vertex_of_node_;
  std::unordered_map<const TensorImpl*, std::string> vertex_of_leaf_;
  std::map<std::string, std::string> boxes_;       // module path -> vertex id
  std::unordered_map<std::string, size_t> box_index_;  // vertex id -> index in vertices_
  std::unordered_map<std::string, int64_t> box_ops_, box_params_;
};

}  // namespace

DotGraph to_dot(const Tensor& root, const DotOptions& options) {
  check(root.defined(), "to_dot: undefined tensor");
  return DotBuilder(options).build(root);
}

DotGraph write_dot(const Tensor& root, const std::string& path, const DotOptions& options) {
  DotGraph g = to_dot(root, options);
  write_file_atomically(path, g.text);
  return g;
}

bool graphviz_available() { return std::system("command -v dot >/dev/null 2>&1") == 0; }

std::string render_dot(const std::string& dot_path, const std::string& format) {
  check(format == "svg" || format == "png" || format == "pdf", "render_dot: format '{}' (svg, png or pdf)", format);
  check(graphviz_available(), "render_dot: Graphviz's `dot` is not on PATH (Debian: apt-get install graphviz)");
  const std::string out = std::filesystem::path(dot_path).replace_extension(format).string();
  auto quote = [](const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  const std::string cmd = fmt::format("dot -T{} {} -o {}", format, quote(dot_path), quote(out));
  check(std::system(cmd.c_str()) == 0, "render_dot: `{}` failed", cmd);
  return out;
}

}  // namespace tg
