#include "tests/unit/config/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace cdpd::test {

temp_dir::temp_dir() {
  auto pattern =
      (std::filesystem::temp_directory_path() / "cdpd-config-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

temp_dir::~temp_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string temp_dir::write(std::string_view name,
                            std::string_view content) const {
  auto file = path_ + "/" + std::string(name);
  std::ofstream out(file, std::ios::binary);
  out << content;
  if (!out)
    throw std::runtime_error("cannot write " + file);
  return file;
}

} // namespace cdpd::test
