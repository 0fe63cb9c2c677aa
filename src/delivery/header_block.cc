#include "delivery/header_block.h"

namespace switchboard::delivery {

void HeaderBlock::assign(const std::vector<HttpHeader>& headers,
                         std::initializer_list<std::string_view> extra) {
  text_.clear();
  std::size_t size = 0;
  for (const auto& header : headers) size += header.name.size() + header.value.size() + 3;
  for (std::string_view line : extra) size += line.size() + 1;
  text_.reserve(size);
  std::vector<std::size_t> starts;
  starts.reserve(headers.size() + extra.size());
  for (const auto& header : headers) {
    starts.push_back(text_.size());
    text_.append(header.name);
    if (header.value.empty()) {
      text_.push_back(';');
    } else {
      text_.append(": ").append(header.value);
    }
    text_.push_back('\0');
  }
  for (std::string_view line : extra) {
    starts.push_back(text_.size());
    text_.append(line);
    text_.push_back('\0');
  }
  // The buffer is final: the nodes may point into it now.
  nodes_.assign(starts.size(), curl_slist{});
  for (std::size_t i = 0; i < starts.size(); ++i) {
    nodes_[i].data = text_.data() + starts[i];
    nodes_[i].next = i + 1 < starts.size() ? &nodes_[i + 1] : nullptr;
  }
}

std::vector<std::string_view> HeaderBlock::lines() const {
  std::vector<std::string_view> out;
  for (const curl_slist& node : nodes_) out.emplace_back(node.data);
  return out;
}

}  // namespace switchboard::delivery
