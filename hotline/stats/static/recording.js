/* Call page: a voicemail the player cannot play is explained in words, in place of a
   silent player. The recording route says why (simulated, encrypted, Twilio away) when
   asked for JSON; without JavaScript the download link opens the same explanation. */
(function () {
  "use strict";

  function explain(box, message) {
    var note = document.createElement("p");
    note.className = "voicemail voicemail-unplayable";
    note.setAttribute("role", "status");
    note.textContent = message || box.getAttribute("data-unplayable");
    box.replaceChildren(note);
  }

  document.querySelectorAll(".voicemail-recording").forEach(function (box) {
    var player = box.querySelector("audio");
    if (!player) {
      return;
    }
    player.addEventListener("error", function () {
      // One byte is enough to learn whether the route serves audio or a reason.
      fetch(player.currentSrc || player.src, {
        headers: { Accept: "application/json", Range: "bytes=0-0" },
        credentials: "same-origin"
      })
        .then(function (response) {
          if (response.ok) {
            return null; // playable after all (Twilio was back): leave the player
          }
          return response.json().then(function (problem) {
            explain(box, problem.message);
          });
        })
        .catch(function () {
          explain(box, null);
        });
    });
  });
})();
