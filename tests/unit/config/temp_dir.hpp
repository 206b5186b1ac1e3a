#pragma once

#include <string>
#include <string_view>

namespace cdpd::test {

/// A fresh directory under the system temp folder, removed with everything in
/// it when the object is destroyed.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  /// The directory's path.
  const std::string& path() const { return path_; }

  /// Writes `content` to the file `name` inside the directory and returns
  /// its path.
  std::string write(std::string_view name, std::string_view content) const;

private:
  std::string path_;
};

} // namespace cdpd::test
