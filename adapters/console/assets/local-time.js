// Shows every <time datetime> in the viewer's own time zone; the UTC time
// stays in its title. Loaded from Airlock itself (the Content-Security-Policy
// allows no inline script and no other origin).
(function () {
  'use strict';
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  function localise(root) {
    var times = root.querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var when = new Date(times[i].getAttribute('datetime'));
      if (!isNaN(when.getTime())) times[i].textContent = format.format(when);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { localise(document); });
  else localise(document);
})();
