# The layers of src/ and what each may include: the one table that the build
# (layer guards, below) and the lint.include_direction test
# (scripts/check_layers.py parses the SWITCHBOARD_SEES_* lines) both read.
#
# Dependencies point one way, downward (style.md, docs/layout.md):
#   cli -> server -> api -> ingest | delivery | live -> store -> model -> common
#   server -> receiver -> model,  cli -> simulate -> model
#   api -> alerts -> delivery (failure alerts)
# Each list is the full set a layer sees (transitive closure written out), so a
# reader need not compute it. A layer always sees itself. To add a layer: add it
# to SWITCHBOARD_LAYERS, give it a SWITCHBOARD_SEES_ line, add it to the SEES
# lines of the layers above it, and give it a src/<layer>/sources.cmake.
set(SWITCHBOARD_LAYERS common model simulate store ingest delivery live alerts receiver api server cli)
set(SWITCHBOARD_SEES_common "")
set(SWITCHBOARD_SEES_model common)
set(SWITCHBOARD_SEES_simulate model common)
set(SWITCHBOARD_SEES_store model common)
set(SWITCHBOARD_SEES_ingest store model common)
set(SWITCHBOARD_SEES_delivery store model common)
set(SWITCHBOARD_SEES_live store model common)
# Failure alerts (issue 16): channels, episodes, SMTP; told by the delivery
# engine's recorder through delivery::RecordedListener.
set(SWITCHBOARD_SEES_alerts delivery store model common)
set(SWITCHBOARD_SEES_receiver model common)
set(SWITCHBOARD_SEES_api ingest delivery live alerts store model common)
set(SWITCHBOARD_SEES_server api ingest delivery live alerts receiver store model common)
set(SWITCHBOARD_SEES_cli server api ingest delivery live alerts receiver simulate store model common)

# Layer guards: the compiler refuses an upward include. Every target of layer L
# gets, ahead of src/, the folder ${CMAKE_BINARY_DIR}/layer-guards/L/ that holds,
# for each header of a layer L may not see, a same-named header whose only line
# is an #error naming the rule. So `#include "api/router.h"` in src/store fails
# to compile with "store may not include api/router.h (cmake/layers.cmake)".
# (Guards rather than per-layer copies of src/: the headers a layer may see keep
# their src/ paths, so compiler messages, debug info and ccache are unchanged.)
# The header glob re-runs CMake when a header is added, so a new header is
# guarded from the next build on; lint.include_direction checks the sources too.
set(SWITCHBOARD_LAYER_GUARDS ${CMAKE_BINARY_DIR}/layer-guards)
file(GLOB_RECURSE SWITCHBOARD_ALL_HEADERS CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR}/src
     ${CMAKE_SOURCE_DIR}/src/*.h)
file(REMOVE_RECURSE ${SWITCHBOARD_LAYER_GUARDS})
foreach(layer ${SWITCHBOARD_LAYERS})
  foreach(header ${SWITCHBOARD_ALL_HEADERS})
    string(REGEX MATCH "^[^/]+" owner ${header})
    if(NOT owner STREQUAL layer AND NOT owner IN_LIST SWITCHBOARD_SEES_${layer})
      string(REPLACE ";" " " sees "${SWITCHBOARD_SEES_${layer}}")
      file(WRITE ${SWITCHBOARD_LAYER_GUARDS}/${layer}/${header}
           "#error \"layer ${layer} may not include ${header}: it sees only ${layer} ${sees} (cmake/layers.cmake)\"\n")
    endif()
  endforeach()
endforeach()

# Puts the layer guards of LAYER in front of TARGET's include path.
function(switchboard_layer_includes target layer)
  if(NOT DEFINED SWITCHBOARD_SEES_${layer})
    message(FATAL_ERROR "unknown layer '${layer}' (cmake/layers.cmake)")
  endif()
  target_include_directories(${target} BEFORE PRIVATE ${SWITCHBOARD_LAYER_GUARDS}/${layer})
endfunction()

# Sets OUT to the absolute paths of the files listed (relative to src/LAYER/)
# in the remaining arguments, e.g. from src/LAYER/sources.cmake.
function(switchboard_paths out layer)
  list(TRANSFORM ARGN PREPEND ${CMAKE_SOURCE_DIR}/src/${layer}/)
  set(${out} ${ARGN} PARENT_SCOPE)
endfunction()
