# The self-contained build (cmake -DIMAGINE_STATIC=ON, made by scripts/release in build-static/):
# every executable links libstdc++, libgcc, yaml-cpp, OpenSSL, zlib, brotli and cpp-httplib
# statically and needs only glibc >= 2.34 (packaging/static/glibc_compat.cc; scripts/release
# fails if `objdump -T` shows a newer GLIBC_ version). Included by CMakeLists.txt in place of the
# shared-library lookups; defines the same targets: PkgConfig::HTTPLIB, yaml-cpp, OpenSSL::*.
# cpp-httplib: Debian ships only a shared object, so its Debian source package is compiled in
# (IMAGINE_HTTPLIB_SOURCE: the folder packaging/static/fetch-httplib prints).
set(IMAGINE_HTTPLIB_SOURCE "" CACHE PATH "httplib.h + httplib.cc from packaging/static/fetch-httplib")
if(NOT EXISTS "${IMAGINE_HTTPLIB_SOURCE}/httplib.cc")
  message(FATAL_ERROR "IMAGINE_STATIC needs -DIMAGINE_HTTPLIB_SOURCE=<the folder packaging/static/fetch-httplib prints>")
endif()

set(OPENSSL_USE_STATIC_LIBS TRUE)
find_package(OpenSSL REQUIRED)
foreach(lib yaml-cpp z brotlienc brotlidec brotlicommon)
  string(MAKE_C_IDENTIFIER "STATIC_LIB_${lib}" var)
  find_library(${var} NAMES lib${lib}.a REQUIRED)
endforeach()

add_library(yaml-cpp STATIC IMPORTED)
set_target_properties(yaml-cpp PROPERTIES IMPORTED_LOCATION ${STATIC_LIB_yaml_cpp})

# What glibc_compat.cc defines must be in every link ahead of libstdc++.a and libgcc_eh.a: its
# object file rides on cpp-httplib's interface, which every executable links.
add_library(imagine_glibc_compat OBJECT ${CMAKE_SOURCE_DIR}/packaging/static/glibc_compat.cc)

# The same switches as Debian's build of the library (debian/rules, cpp-httplib.pc).
add_library(imagine_httplib STATIC ${IMAGINE_HTTPLIB_SOURCE}/httplib.cc)
target_include_directories(imagine_httplib SYSTEM PUBLIC ${IMAGINE_HTTPLIB_SOURCE})
target_compile_definitions(imagine_httplib PUBLIC CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT
  CPPHTTPLIB_BROTLI_SUPPORT CPPHTTPLIB_USE_POLL)
target_link_libraries(imagine_httplib PUBLIC OpenSSL::SSL OpenSSL::Crypto ${STATIC_LIB_z}
  ${STATIC_LIB_brotlienc} ${STATIC_LIB_brotlidec} ${STATIC_LIB_brotlicommon} Threads::Threads
  $<TARGET_OBJECTS:imagine_glibc_compat>)
add_library(PkgConfig::HTTPLIB ALIAS imagine_httplib)

add_link_options(-static-libstdc++ -static-libgcc)
